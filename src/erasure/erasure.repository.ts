/** SQL for the proofs of erasure. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface ErasureProof {
  id: string;
  subjectId: string;
  erasedAt: string;
  reason: 'request' | 'child' | 'admin';
  requestId: string | null;
  actor: string;
  erased: boolean;
  counts: Record<string, number>;
  heldCategories: string[];
  disclosures: string[];
}

type Row = Database['erasures'];

export function proofToRow(proof: ErasureProof): Row {
  return {
    id: proof.id,
    subject_id: proof.subjectId,
    erased_at: proof.erasedAt,
    reason: proof.reason,
    request_id: proof.requestId,
    actor: proof.actor,
    erased: proof.erased ? 1 : 0,
    counts: JSON.stringify(proof.counts),
    held_categories: JSON.stringify(proof.heldCategories),
    disclosures: JSON.stringify(proof.disclosures),
  };
}

export function proofFromRow(row: Row): ErasureProof {
  return {
    id: row.id,
    subjectId: row.subject_id,
    erasedAt: row.erased_at,
    reason: row.reason === 'child' ? 'child' : row.reason === 'admin' ? 'admin' : 'request',
    requestId: row.request_id,
    actor: row.actor,
    erased: row.erased === 1,
    counts: JSON.parse(row.counts) as Record<string, number>,
    heldCategories: JSON.parse(row.held_categories) as string[],
    disclosures: JSON.parse(row.disclosures) as string[],
  };
}

export async function insertErasure(trx: Kysely<Database>, proof: ErasureProof): Promise<void> {
  await trx.insertInto('erasures').values(proofToRow(proof)).execute();
}

export async function erasuresOfSubject(db: Kysely<Database>, subjectId: string): Promise<ErasureProof[]> {
  const rows = await db.selectFrom('erasures').selectAll().where('subject_id', '=', subjectId).orderBy('erased_at').orderBy('id').execute();
  return rows.map(proofFromRow);
}

export async function allErasures(db: Kysely<Database>): Promise<ErasureProof[]> {
  const rows = await db.selectFrom('erasures').selectAll().orderBy('erased_at').orderBy('id').execute();
  return rows.map(proofFromRow);
}

/** The disclosures that included the subject, read before the accounting rows go. */
export async function disclosureIdsOf(db: Kysely<Database>, subjectId: string): Promise<string[]> {
  const rows = await db.selectFrom('disclosure_subjects').select('disclosure_id').where('subject_id', '=', subjectId).orderBy('disclosure_id').execute();
  return rows.map((row) => row.disclosure_id);
}

/** Visitor subjects linked to this account: the same person, erased with it. */
export async function linkedVisitors(db: Kysely<Database>, subjectId: string): Promise<string[]> {
  const rows = await db.selectFrom('subject_links').select('linked_subject_id').where('subject_id', '=', subjectId).execute();
  return rows.map((row) => row.linked_subject_id);
}

/** Whether the subject is there to erase: a tombstone waiting for the purge is already erased. */
export async function subjectExists(db: Kysely<Database>, subjectId: string): Promise<boolean> {
  const row = await db.selectFrom('subjects').select('id').where('id', '=', subjectId).where('kind', '!=', 'erased').executeTakeFirst();
  return row !== undefined;
}
