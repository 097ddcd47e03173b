/** SQL for the aggregate analytics social platforms give about the company's pages. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface SocialAggregate {
  platform: string;
  metric: string;
  period: string;
  value: number;
  importedAt: string;
}

export async function listSocialAggregates(db: Kysely<Database>, options: { platform?: string | undefined } = {}): Promise<SocialAggregate[]> {
  let query = db.selectFrom('social_aggregates').select(['platform', 'metric', 'period', 'value', 'imported_at']);
  if (options.platform !== undefined) query = query.where('platform', '=', options.platform);
  const rows = await query.orderBy('platform').orderBy('metric').orderBy('period').execute();
  return rows.map((row) => ({ platform: row.platform, metric: row.metric, period: row.period, value: row.value, importedAt: row.imported_at }));
}
