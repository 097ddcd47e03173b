/**
 * `GET /v1/overview`: the console's first screen in one call. Each part is there only for
 * roles that may see it (the requests, consent, the privacy budget, the audit chain,
 * breaches); all of it is counts, naming nobody.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readHead } from '../audit/audit.repository.js';
import { can } from '../auth/role.js';
import { listBreaches } from '../breaches/breach-register.js';
import { dropReasons } from '../collect/event.js';
import type { EventMetrics } from '../collect/metrics.js';
import { consentOverview, requestsOverview } from '../reports/overview.js';
import { datasets } from '../stats/release-query.js';
import { budgetState } from '../stats/release-statistics.js';
import { listBudgets } from '../stats/stats.repository.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { readingFrom, type VaultContext } from '../vault/vault-context.js';
import { actorOf, type Auth } from './auth.js';

const OverviewSchema = z.object({
  requests: z.object({ pending: z.number(), dueSoon: z.number().describe('pending and due within 7 days, overdue included'), overdue: z.number() }).optional(),
  consent: z
    .object({
      perDay: z.array(z.object({ day: z.string(), decisions: z.number() })),
      categories: z.array(z.object({ id: z.string(), name: z.string(), granted: z.number(), refused: z.number(), optInRate: z.number().nullable() })),
    })
    .optional(),
  events: z.object({ accepted: z.number(), dropped: z.partialRecord(z.enum(dropReasons), z.number()) }).optional().describe('counted by this process since it started'),
  budget: z.array(z.object({ dataset: z.string(), total: z.string(), spent: z.string(), remaining: z.string() })).optional(),
  audit: z.object({ records: z.number() }).optional(),
  breaches: z.object({ open: z.number(), overdueClocks: z.number() }).optional(),
});

export const overviewRoutes: FastifyPluginAsyncZod<{ vault: VaultContext; reads?: Kysely<Database>; auth: Auth; metrics?: EventMetrics | undefined }> = async (app, { vault, reads = vault.db, auth, metrics }) => {
  app.get(
    '/v1/overview',
    {
      onRequest: auth.requirePermission('requests:read'),
      schema: { summary: 'Counts for the day: requests by deadline, consent per day and per category, events, the privacy budget, the audit chain, breaches', tags: ['staff'], response: { 200: OverviewSchema } },
    },
    async (request) => {
      const actor = actorOf(request);
      const now = new Date();
      // Counts that may lag a few seconds: from the replica when there is one.
      const db = reads;
      const [requests, consent, events, budget, head, breaches] = await Promise.all([
        requestsOverview(db, now),
        can(actor, 'consent:read') ? consentOverview(db, vault.declaration, now) : undefined,
        metrics?.totals(),
        can(actor, 'stats:release') ? listBudgets(db).then((rows) => datasets.map((dataset) => budgetState(dataset, rows.find((row) => row.dataset === dataset), vault.declaration))) : undefined,
        can(actor, 'audit:read') ? readHead(db) : undefined,
        can(actor, 'breaches:read') ? listBreaches(readingFrom(vault, db), { now }) : undefined,
      ]);
      const open = breaches?.filter((breach) => breach.status === 'open');
      return {
        requests,
        ...(consent ? { consent } : {}),
        ...(events ? { events } : {}),
        ...(budget ? { budget } : {}),
        ...(can(actor, 'audit:read') ? { audit: { records: head?.seq ?? 0 } } : {}),
        ...(open ? { breaches: { open: open.length, overdueClocks: open.flatMap((breach) => breach.clocks).filter((clock) => clock.overdue).length } } : {}),
      };
    },
  );
};
