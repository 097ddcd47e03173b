/** SQL for recipients' webhook endpoints, their deliveries and every attempt. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface EndpointRow {
  id: string;
  recipient: string;
  url: string;
  /** Sealed under the `webhooks` vault key. */
  secret: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

export interface DeliveryRow {
  id: string;
  endpointId: string;
  recipient: string;
  subjectId: string;
  event: string;
  body: string;
  status: 'pending' | 'delivered' | 'cancelled';
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface AttemptRow {
  id: string;
  deliveryId: string;
  at: string;
  statusCode: number | null;
  error: string | null;
  nextAttemptAt: string | null;
}

function endpointFromRow(row: Database['webhook_endpoints']): EndpointRow {
  return {
    id: row.id,
    recipient: row.recipient,
    url: row.url,
    secret: row.secret,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
  };
}

function deliveryFromRow(row: Database['webhook_deliveries']): DeliveryRow {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    recipient: row.recipient,
    subjectId: row.subject_id,
    event: row.event,
    body: row.body,
    status: row.status === 'delivered' ? 'delivered' : row.status === 'cancelled' ? 'cancelled' : 'pending',
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}

export async function insertEndpoint(trx: Kysely<Database>, endpoint: EndpointRow): Promise<void> {
  await trx
    .insertInto('webhook_endpoints')
    .values({
      id: endpoint.id,
      recipient: endpoint.recipient,
      url: endpoint.url,
      secret: endpoint.secret,
      created_at: endpoint.createdAt,
      created_by: endpoint.createdBy,
      revoked_at: endpoint.revokedAt,
    })
    .execute();
}

export async function listEndpoints(db: Kysely<Database>, options: { includeRevoked?: boolean } = {}): Promise<EndpointRow[]> {
  let query = db.selectFrom('webhook_endpoints').selectAll();
  if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map(endpointFromRow);
}

export async function findEndpoint(db: Kysely<Database>, id: string): Promise<EndpointRow | undefined> {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  return row && endpointFromRow(row);
}

export async function activeEndpointsOf(db: Kysely<Database>, recipients: readonly string[]): Promise<EndpointRow[]> {
  if (recipients.length === 0) return [];
  const rows = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('recipient', 'in', recipients)
    .where('revoked_at', 'is', null)
    .orderBy('recipient')
    .orderBy('id')
    .execute();
  return rows.map(endpointFromRow);
}

/** Revokes the endpoint and cancels its pending deliveries; false when it was already revoked. */
export async function revokeEndpoint(trx: Kysely<Database>, id: string, at: string): Promise<{ revoked: boolean; cancelled: number }> {
  const result = await trx.updateTable('webhook_endpoints').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return { revoked: false, cancelled: 0 };
  const cancelled = await trx
    .updateTable('webhook_deliveries')
    .set({ status: 'cancelled', next_attempt_at: null })
    .where('endpoint_id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return { revoked: true, cancelled: Number(cancelled.numUpdatedRows) };
}

/** Recipients that received the subject's data, each with the disclosures that carried it. */
export async function recipientsOfSubject(db: Kysely<Database>, subjectId: string): Promise<Map<string, string[]>> {
  const rows = await db
    .selectFrom('disclosure_subjects')
    .innerJoin('disclosures', 'disclosures.id', 'disclosure_subjects.disclosure_id')
    .select(['disclosures.recipient', 'disclosures.id'])
    .where('disclosure_subjects.subject_id', '=', subjectId)
    .orderBy('disclosures.created_at')
    .orderBy('disclosures.id')
    .execute();
  const recipients = new Map<string, string[]>();
  for (const row of rows) recipients.set(row.recipient, [...(recipients.get(row.recipient) ?? []), row.id]);
  return recipients;
}

/** The categories the subject has data in: its records' and its events'. */
export async function categoriesOfSubject(db: Kysely<Database>, subjectId: string): Promise<string[]> {
  const records = await db.selectFrom('vault_records').select('category').distinct().where('subject_id', '=', subjectId).execute();
  const events = await db.selectFrom('events').select('category').distinct().where('subject_id', '=', subjectId).execute();
  return [...new Set([...records, ...events].map((row) => row.category))];
}

export async function insertDelivery(trx: Kysely<Database>, delivery: DeliveryRow): Promise<void> {
  await trx
    .insertInto('webhook_deliveries')
    .values({
      id: delivery.id,
      endpoint_id: delivery.endpointId,
      recipient: delivery.recipient,
      subject_id: delivery.subjectId,
      event: delivery.event,
      body: delivery.body,
      status: delivery.status,
      attempts: delivery.attempts,
      next_attempt_at: delivery.nextAttemptAt,
      created_at: delivery.createdAt,
      delivered_at: delivery.deliveredAt,
    })
    .execute();
}

/** Pending deliveries due at `now` (or these ids, when given), oldest first. */
export async function dueDeliveries(db: Kysely<Database>, now: string, limit: number, ids?: readonly string[]): Promise<DeliveryRow[]> {
  if (ids?.length === 0) return [];
  let query = db.selectFrom('webhook_deliveries').selectAll().where('status', '=', 'pending').where('next_attempt_at', '<=', now);
  if (ids) query = query.where('id', 'in', ids);
  const rows = await query.orderBy('next_attempt_at').orderBy('id').limit(limit).execute();
  return rows.map(deliveryFromRow);
}

/**
 * Claims a delivery for one attempt by moving its next attempt to `leaseUntil`: only
 * the process whose update matched the old time sends it.
 */
export async function claimDelivery(db: Kysely<Database>, delivery: DeliveryRow, leaseUntil: string): Promise<boolean> {
  if (delivery.nextAttemptAt === null) return false;
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ next_attempt_at: leaseUntil })
    .where('id', '=', delivery.id)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '=', delivery.nextAttemptAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordAttempt(
  trx: Kysely<Database>,
  attempt: AttemptRow,
  outcome: { delivered: boolean; attempts: number },
): Promise<void> {
  await trx
    .insertInto('webhook_attempts')
    .values({
      id: attempt.id,
      delivery_id: attempt.deliveryId,
      at: attempt.at,
      status_code: attempt.statusCode,
      error: attempt.error,
      next_attempt_at: attempt.nextAttemptAt,
    })
    .execute();
  await trx
    .updateTable('webhook_deliveries')
    .set({
      status: outcome.delivered ? 'delivered' : 'pending',
      attempts: outcome.attempts,
      next_attempt_at: attempt.nextAttemptAt,
      delivered_at: outcome.delivered ? attempt.at : null,
    })
    .where('id', '=', attempt.deliveryId)
    .execute();
}

export async function listDeliveries(db: Kysely<Database>, options: { endpointId?: string; limit: number }): Promise<DeliveryRow[]> {
  let query = db.selectFrom('webhook_deliveries').selectAll();
  if (options.endpointId) query = query.where('endpoint_id', '=', options.endpointId);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  return rows.map(deliveryFromRow);
}

export async function attemptsOf(db: Kysely<Database>, deliveryIds: readonly string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  const rows = await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', deliveryIds).orderBy('at').orderBy('id').execute();
  return rows.map((row) => ({
    id: row.id,
    deliveryId: row.delivery_id,
    at: row.at,
    statusCode: row.status_code,
    error: row.error,
    nextAttemptAt: row.next_attempt_at,
  }));
}
