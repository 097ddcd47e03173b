/** SQL for reports that a child provided data. */
import type { Kysely, Selectable } from 'kysely';
import type { ChildReportTable, Database } from '../store/schema.js';

export type ChildReportRow = Selectable<ChildReportTable>;

export async function insertChildReport(trx: Kysely<Database>, row: ChildReportRow): Promise<void> {
  await trx.insertInto('child_reports').values(row).execute();
}

export function findChildReport(db: Kysely<Database>, id: string): Promise<ChildReportRow | undefined> {
  return db.selectFrom('child_reports').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listChildReports(db: Kysely<Database>, options: { status?: string; limit: number }): Promise<ChildReportRow[]> {
  let query = db.selectFrom('child_reports').selectAll();
  if (options.status) query = query.where('status', '=', options.status);
  return query.orderBy('created_at', 'desc').orderBy('id').limit(options.limit).execute();
}

/** Records the decision only while the report is still open; false when someone decided first. */
export async function decideChildReport(
  trx: Kysely<Database>,
  id: string,
  decision: Pick<ChildReportRow, 'status' | 'decided_at' | 'decided_by' | 'decision_reason' | 'outcome' | 'subject_id' | 'child_email' | 'details'>,
): Promise<boolean> {
  const result = await trx.updateTable('child_reports').set(decision).where('id', '=', id).where('status', '=', 'open').executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
