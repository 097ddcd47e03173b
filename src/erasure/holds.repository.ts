/** SQL for legal holds. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface HoldRow {
  id: string;
  subjectId: string;
  /** Sealed under the `legal-holds` vault key. */
  reason: string;
  reasonHash: string;
  /** Null holds everything. */
  categories: string[] | null;
  source: 'staff' | 'legal-request';
  disclosureId: string | null;
  createdAt: string;
  createdBy: string;
  releasedAt: string | null;
  releasedBy: string | null;
}

type Row = Database['legal_holds'];

function fromRow(row: Row): HoldRow {
  return {
    id: row.id,
    subjectId: row.subject_id,
    reason: row.reason,
    reasonHash: row.reason_hash,
    categories: row.categories === null ? null : (JSON.parse(row.categories) as string[]),
    source: row.source === 'legal-request' ? 'legal-request' : 'staff',
    disclosureId: row.disclosure_id,
    createdAt: row.created_at,
    createdBy: row.created_by,
    releasedAt: row.released_at,
    releasedBy: row.released_by,
  };
}

export async function insertHold(trx: Kysely<Database>, hold: HoldRow): Promise<void> {
  await trx
    .insertInto('legal_holds')
    .values({
      id: hold.id,
      subject_id: hold.subjectId,
      reason: hold.reason,
      reason_hash: hold.reasonHash,
      categories: hold.categories === null ? null : JSON.stringify(hold.categories),
      source: hold.source,
      disclosure_id: hold.disclosureId,
      created_at: hold.createdAt,
      created_by: hold.createdBy,
      released_at: hold.releasedAt,
      released_by: hold.releasedBy,
    })
    .execute();
}

export async function findHold(db: Kysely<Database>, id: string): Promise<HoldRow | undefined> {
  const row = await db.selectFrom('legal_holds').selectAll().where('id', '=', id).executeTakeFirst();
  return row && fromRow(row);
}

/** The subject's holds, active and released, oldest first. */
export async function holdsOfSubject(db: Kysely<Database>, subjectId: string, activeOnly = false): Promise<HoldRow[]> {
  let query = db.selectFrom('legal_holds').selectAll().where('subject_id', '=', subjectId);
  if (activeOnly) query = query.where('released_at', 'is', null);
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map(fromRow);
}

/** Releases the hold; false when it was already released. */
export async function releaseHold(trx: Kysely<Database>, id: string, at: string, by: string): Promise<boolean> {
  const result = await trx
    .updateTable('legal_holds')
    .set({ released_at: at, released_by: by })
    .where('id', '=', id)
    .where('released_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Every active hold, for retention: few by nature (each is a legal matter). */
export async function activeHolds(db: Kysely<Database>): Promise<{ subjectId: string; categories: string[] | null }[]> {
  const rows = await db.selectFrom('legal_holds').select(['subject_id', 'categories']).where('released_at', 'is', null).execute();
  return rows.map((row) => ({ subjectId: row.subject_id, categories: row.categories === null ? null : (JSON.parse(row.categories) as string[]) }));
}
