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

/** Records the decision only while the report is still in `from`; false when someone decided first. */
export async function decideChildReport(
  trx: Kysely<Database>,
  id: string,
  from: 'open' | 'confirming',
  decision: Pick<ChildReportRow, 'status' | 'decided_at' | 'decided_by' | 'decision_reason' | 'outcome' | 'subject_id' | 'child_email' | 'details'>,
): Promise<boolean> {
  const result = await trx.updateTable('child_reports').set({ ...decision, claimed_at: null }).where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Claims an open report's confirmation, with who confirms and the subject to erase; false when someone decided first. */
export async function claimConfirmation(trx: Kysely<Database>, id: string, claim: Pick<ChildReportRow, 'claimed_at' | 'decided_by' | 'subject_id'>): Promise<boolean> {
  const result = await trx.updateTable('child_reports').set({ ...claim, status: 'confirming' }).where('id', '=', id).where('status', '=', 'open').executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Takes a claimed confirmation's row for this transaction; false once it is no longer claimed. */
export async function touchConfirmation(trx: Kysely<Database>, id: string, at: string): Promise<boolean> {
  const result = await trx.updateTable('child_reports').set({ claimed_at: at }).where('id', '=', id).where('status', '=', 'confirming').executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export function findClaimedReportsBefore(db: Kysely<Database>, claimedBefore: string, limit: number): Promise<ChildReportRow[]> {
  return db.selectFrom('child_reports').selectAll().where('status', '=', 'confirming').where('claimed_at', '<', claimedBefore).orderBy('claimed_at').limit(limit).execute();
}
