/** SQL for policy-change notices and acceptances, one row per subject and version. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface MaterialVersion {
  number: number;
  publishedAt: string;
}

export async function findLatestMaterialVersion(db: Kysely<Database>): Promise<MaterialVersion | undefined> {
  const row = await db
    .selectFrom('policy_versions')
    .select(['number', 'published_at'])
    .where('material', '=', 1)
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { number: row.number, publishedAt: row.published_at };
}

/**
 * Open accounts that existed before the version was published and have not been told of
 * it yet, a batch at a time in id order. Accounts opened later saw the new version.
 */
export async function findSubjectsToNotify(
  db: Kysely<Database>,
  options: { accountCategory: string; version: MaterialVersion; limit: number },
): Promise<string[]> {
  const rows = await db
    .selectFrom('vault_records')
    .innerJoin('subjects', 'subjects.id', 'vault_records.subject_id')
    .leftJoin('policy_notices', (join) =>
      join.onRef('policy_notices.subject_id', '=', 'vault_records.subject_id').on('policy_notices.version', '=', options.version.number),
    )
    .select('vault_records.subject_id')
    .distinct()
    .where('vault_records.category', '=', options.accountCategory)
    .where('vault_records.collected_at', '<', options.version.publishedAt)
    .where('subjects.closed_at', 'is', null)
    // A subject whose erasure a legal hold held back is kept for the law only: told nothing about the Services.
    .where((eb) => eb.not(eb.exists(eb.selectFrom('erasures').select('erasures.id').whereRef('erasures.subject_id', '=', 'vault_records.subject_id'))))
    .where('policy_notices.subject_id', 'is', null)
    .orderBy('vault_records.subject_id')
    .limit(options.limit)
    .execute();
  return rows.map((row) => row.subject_id);
}

export async function insertNotice(trx: Kysely<Database>, notice: { subjectId: string; version: number; notifiedAt: string; messageId: string | null }): Promise<boolean> {
  const result = await trx
    .insertInto('policy_notices')
    .values({ subject_id: notice.subjectId, version: notice.version, notified_at: notice.notifiedAt, message_id: notice.messageId })
    .onConflict((conflict) => conflict.columns(['subject_id', 'version']).doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export interface NoticeRow {
  version: number;
  notifiedAt: string;
}

export interface AcceptanceRow {
  version: number;
  method: 'explicit' | 'continued-use';
  acceptedAt: string;
  actor: string;
  purposes: string[];
}

export async function findNotices(db: Kysely<Database>, subjectId: string): Promise<NoticeRow[]> {
  const rows = await db.selectFrom('policy_notices').select(['version', 'notified_at']).where('subject_id', '=', subjectId).orderBy('version').execute();
  return rows.map((row) => ({ version: row.version, notifiedAt: row.notified_at }));
}

export async function findAcceptances(db: Kysely<Database>, subjectId: string): Promise<AcceptanceRow[]> {
  const rows = await db.selectFrom('policy_acceptances').selectAll().where('subject_id', '=', subjectId).orderBy('version').execute();
  return rows.map((row) => ({
    version: row.version,
    method: row.method === 'explicit' ? 'explicit' : 'continued-use',
    acceptedAt: row.accepted_at,
    actor: row.actor,
    purposes: JSON.parse(row.purposes) as string[],
  }));
}

/** Versions the subject was told of (at or before `at`) and has not accepted in any way. */
export async function findUnacceptedNotices(db: Kysely<Database>, subjectId: string, at: string): Promise<number[]> {
  const rows = await db
    .selectFrom('policy_notices')
    .leftJoin('policy_acceptances', (join) =>
      join.onRef('policy_acceptances.subject_id', '=', 'policy_notices.subject_id').onRef('policy_acceptances.version', '=', 'policy_notices.version'),
    )
    .select('policy_notices.version')
    .where('policy_notices.subject_id', '=', subjectId)
    .where('policy_notices.notified_at', '<=', at)
    .where('policy_acceptances.subject_id', 'is', null)
    .orderBy('policy_notices.version')
    .execute();
  return rows.map((row) => row.version);
}

export async function insertAcceptance(trx: Kysely<Database>, subjectId: string, acceptance: AcceptanceRow): Promise<void> {
  await trx
    .insertInto('policy_acceptances')
    .values({
      subject_id: subjectId,
      version: acceptance.version,
      method: acceptance.method,
      accepted_at: acceptance.acceptedAt,
      actor: acceptance.actor,
      purposes: JSON.stringify(acceptance.purposes),
    })
    .execute();
}

/** An explicit acceptance replaces one by continued use: it covers what continued use cannot. */
export async function replaceAcceptance(trx: Kysely<Database>, subjectId: string, acceptance: AcceptanceRow): Promise<void> {
  await trx.deleteFrom('policy_acceptances').where('subject_id', '=', subjectId).where('version', '=', acceptance.version).execute();
  await insertAcceptance(trx, subjectId, acceptance);
}

/** The account a visitor subject is linked to, if any. */
export async function accountOfVisitor(db: Kysely<Database>, visitorId: string): Promise<string | undefined> {
  const row = await db.selectFrom('subject_links').select('subject_id').where('linked_subject_id', '=', visitorId).executeTakeFirst();
  return row?.subject_id;
}
