/** Deliveries with their attempts, for staff (`GET /v1/webhooks/deliveries`, `vow webhooks deliveries`). */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { attemptsOf, listDeliveries } from './webhook.repository.js';

export interface DeliveryView {
  id: string;
  webhook: string;
  recipient: string;
  subjectId: string;
  event: string;
  status: string;
  attempts: { at: string; statusCode: number | null; error: string | null; nextAttemptAt: string | null }[];
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export async function listWebhookDeliveries(db: Kysely<Database>, options: { endpointId?: string; limit: number }): Promise<DeliveryView[]> {
  const deliveries = await listDeliveries(db, options);
  const attempts = await attemptsOf(db, deliveries.map((delivery) => delivery.id));
  return deliveries.map((delivery) => ({
    id: delivery.id,
    webhook: delivery.endpointId,
    recipient: delivery.recipient,
    subjectId: delivery.subjectId,
    event: delivery.event,
    status: delivery.status,
    attempts: attempts
      .filter((attempt) => attempt.deliveryId === delivery.id)
      .map((attempt) => ({ at: attempt.at, statusCode: attempt.statusCode, error: attempt.error, nextAttemptAt: attempt.nextAttemptAt })),
    nextAttemptAt: delivery.nextAttemptAt,
    createdAt: delivery.createdAt,
    deliveredAt: delivery.deliveredAt,
  }));
}
