/** SQL for the records of processing: how much the store holds of each category. */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export async function countRecordsByCategory(db: Kysely<Database>): Promise<Map<string, number>> {
  const count = sql<number | string>`count(*)`;
  // An events row holds `event_count` events (collect/group-events.ts).
  const eventCount = sql<number | string>`sum(${sql.ref('event_count')})`;
  const [records, events] = await Promise.all([
    db.selectFrom('vault_records').select(['category', count.as('n')]).groupBy('category').execute(),
    db.selectFrom('events').select(['category', eventCount.as('n')]).groupBy('category').execute(),
  ]);
  const counts = new Map<string, number>();
  // PostgreSQL answers count(*) as a bigint string.
  for (const row of [...records, ...events]) counts.set(row.category, (counts.get(row.category) ?? 0) + Number(row.n));
  return counts;
}

/** How many aggregate figures the social platforms gave (they name no one, and belong to no subject). */
export async function countSocialAggregates(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('social_aggregates').select(sql<number | string>`count(*)`.as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}
