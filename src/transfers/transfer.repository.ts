/** SQL for recorded transfers and the regions they start from. */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface TransferRecord {
  subjectId: string;
  from: string;
  to: string;
  safeguard: string;
  /** `collection`, or the id of the disclosure that carried the data. */
  basis: string;
  firstAt: string;
}

/** Six values a row: 500 rows stay under every dialect's parameter limit. */
const BATCH = 500;

/** Records transfers; one already recorded for the same subject, basis and route keeps its first time. */
export async function insertTransfers(trx: Kysely<Database>, records: readonly TransferRecord[]): Promise<void> {
  for (let start = 0; start < records.length; start += BATCH) {
    const values = records.slice(start, start + BATCH).map((record) => ({
      subject_id: record.subjectId,
      from_country: record.from,
      to_country: record.to,
      safeguard: record.safeguard,
      basis: record.basis,
      first_at: record.firstAt,
    }));
    await trx
      .insertInto('subject_transfers')
      .values(values)
      .onConflict((conflict) => conflict.columns(['subject_id', 'basis', 'from_country', 'to_country']).doNothing())
      .execute();
  }
}

export async function transfersOfSubject(db: Kysely<Database>, subjectId: string): Promise<TransferRecord[]> {
  const rows = await db
    .selectFrom('subject_transfers')
    .selectAll()
    .where('subject_id', '=', subjectId)
    .orderBy('first_at')
    .orderBy('basis')
    .execute();
  return rows.map((row) => ({ subjectId: row.subject_id, from: row.from_country, to: row.to_country, safeguard: row.safeguard, basis: row.basis, firstAt: row.first_at }));
}

export interface RouteCount {
  from: string;
  to: string;
  safeguard: string;
  /** Transfers recorded at collection (one per subject). */
  atCollection: number;
  /** Transfers recorded in disclosures (one per subject per disclosure). */
  inDisclosures: number;
  /** Distinct subjects whose data took the route. */
  subjects: number;
}

/** How many transfers took each route, for the records of processing. */
export async function countTransferRoutes(db: Kysely<Database>): Promise<RouteCount[]> {
  const rows = await db
    .selectFrom('subject_transfers')
    .select([
      'from_country',
      'to_country',
      'safeguard',
      sql<number | string>`sum(case when ${sql.ref('basis')} = 'collection' then 1 else 0 end)`.as('at_collection'),
      sql<number | string>`sum(case when ${sql.ref('basis')} = 'collection' then 0 else 1 end)`.as('in_disclosures'),
      sql<number | string>`count(distinct ${sql.ref('subject_id')})`.as('subjects'),
    ])
    .groupBy(['from_country', 'to_country', 'safeguard'])
    .orderBy('from_country')
    .orderBy('to_country')
    .orderBy('safeguard')
    .execute();
  // PostgreSQL answers sums and counts as bigint strings.
  return rows.map((row) => ({
    from: row.from_country,
    to: row.to_country,
    safeguard: row.safeguard,
    atCollection: Number(row.at_collection),
    inDisclosures: Number(row.in_disclosures),
    subjects: Number(row.subjects),
  }));
}

/** The region each of these subjects was collected in (null when unknown); subjects that do not exist are absent. */
export async function regionsOf(db: Kysely<Database>, subjectIds: readonly string[]): Promise<Map<string, string | null>> {
  const regions = new Map<string, string | null>();
  for (let start = 0; start < subjectIds.length; start += BATCH) {
    const rows = await db.selectFrom('subjects').select(['id', 'region']).where('id', 'in', subjectIds.slice(start, start + BATCH)).execute();
    for (const row of rows) regions.set(row.id, row.region);
  }
  return regions;
}
