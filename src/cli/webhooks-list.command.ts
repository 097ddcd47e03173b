import type { Config } from '../config.js';
import { openStore } from '../store/open-store.js';
import { listWebhookDeliveries } from '../webhooks/list-deliveries.js';
import { listEndpoints } from '../webhooks/webhook.repository.js';
import type { Io } from './io.js';

/** One line an endpoint (never its secret), then its latest deliveries with their last attempt. */
export async function webhooksListCommand(config: Config, io: Io, options: { deliveries: number }): Promise<number> {
  const store = await openStore(config);
  try {
    const endpoints = await listEndpoints(store.db, { includeRevoked: true });
    if (endpoints.length === 0) {
      io.out('no webhooks');
      return 0;
    }
    for (const endpoint of endpoints) {
      const status = endpoint.revokedAt === null ? `active since ${endpoint.createdAt}` : `removed ${endpoint.revokedAt}`;
      io.out([endpoint.id, endpoint.recipient, endpoint.url, status].join('  '));
      for (const delivery of await listWebhookDeliveries(store.db, { endpointId: endpoint.id, limit: options.deliveries })) {
        const last = delivery.attempts.at(-1);
        const outcome = last ? `last attempt ${last.at}: ${last.statusCode ?? last.error ?? '?'}` : 'not attempted yet';
        const next = delivery.nextAttemptAt ? `, next ${delivery.nextAttemptAt}` : '';
        io.out(`  ${delivery.id}  ${delivery.event}  ${delivery.status}  ${delivery.attempts.length} attempts, ${outcome}${next}`);
      }
    }
    return 0;
  } finally {
    await store.close();
  }
}
