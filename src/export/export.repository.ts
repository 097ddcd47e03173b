/** SQL for an access export: everything keyed to a subject, each part read in one query. */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { ERASED_KIND } from '../erasure/apply-erasure.js';

export interface HeldSubject {
  id: string;
  kind: string;
  region: string | null;
  createdAt: string;
  lastActivityAt: string;
  closedAt: string | null;
}

/** The subject, the subjects linked to it (visitors, the writer of earlier messages), and every one's wrapped data key. */
export async function findSubjectsAndKeys(
  db: Kysely<Database>,
  subjectId: string,
): Promise<{ subject: HeldSubject; linked: string[]; linkedContacts: number; keys: Map<string, { wrapped: string; masterKeyId: string }> } | undefined> {
  // An erased subject's tombstone waits for the purge of its events: there is nothing of it to give.
  const subject = await db.selectFrom('subjects').selectAll().where('id', '=', subjectId).where('kind', '!=', ERASED_KIND).executeTakeFirst();
  if (!subject) return undefined;
  const links = await db
    .selectFrom('subject_links')
    .innerJoin('subjects', 'subjects.id', 'subject_links.linked_subject_id')
    .select(['linked_subject_id', 'subjects.kind'])
    .where('subject_id', '=', subjectId)
    .orderBy('linked_subject_id')
    .execute();
  const linked = links.map((link) => link.linked_subject_id);
  const keyRows = await db.selectFrom('subject_keys').select(['subject_id', 'wrapped', 'master_key_id']).where('subject_id', 'in', [subjectId, ...linked]).execute();
  return {
    subject: {
      id: subject.id,
      kind: subject.kind,
      region: subject.region,
      createdAt: subject.created_at,
      lastActivityAt: subject.last_activity_at,
      closedAt: subject.closed_at,
    },
    linked,
    linkedContacts: links.filter((link) => link.kind === 'contact').length,
    keys: new Map(keyRows.map((row) => [row.subject_id, { wrapped: row.wrapped, masterKeyId: row.master_key_id }])),
  };
}

export function findRecordsOf(db: Kysely<Database>, subjectIds: readonly string[]) {
  return db
    .selectFrom('vault_records')
    .select(['id', 'subject_id', 'category', 'source', 'collected_at', 'updated_at', 'data'])
    .where('subject_id', 'in', subjectIds)
    .orderBy('collected_at')
    .orderBy('id')
    .execute();
}

/** All of the subjects' events in one query (the index on subject_id serves it): no query per event. */
export function findEventsOf(db: Kysely<Database>, subjectIds: readonly string[]) {
  return db
    .selectFrom('events')
    .select(['id', 'subject_id', 'category', 'name', 'occurred_at', 'received_at', 'country', 'data', 'event_count'])
    .where('subject_id', 'in', subjectIds)
    .execute();
}

export function findConsentsOf(db: Kysely<Database>, subjectIds: readonly string[]) {
  return db.selectFrom('consent_records').selectAll().where('subject_id', 'in', subjectIds).orderBy('recorded_at').orderBy('id').execute();
}

export function findDisclosuresOf(db: Kysely<Database>, subjectIds: readonly string[]) {
  return db
    .selectFrom('disclosures')
    .innerJoin('disclosure_subjects', 'disclosure_subjects.disclosure_id', 'disclosures.id')
    .select([
      'disclosures.id',
      'disclosure_subjects.subject_id',
      'disclosures.recipient',
      'disclosures.purpose',
      'disclosures.categories',
      'disclosures.country',
      'disclosures.kind',
      'disclosures.created_at',
      'disclosures.legal_ground',
      'disclosures.silent_until',
      'disclosures.details',
      'disclosure_subjects.details_key',
    ])
    .where('disclosure_subjects.subject_id', 'in', subjectIds)
    .orderBy('disclosures.created_at')
    .orderBy('disclosures.id')
    .execute();
}

export function findPolicyNoticesOf(db: Kysely<Database>, subjectId: string) {
  return db.selectFrom('policy_notices').select(['version', 'notified_at']).where('subject_id', '=', subjectId).orderBy('version').execute();
}

export function findPolicyAcceptancesOf(db: Kysely<Database>, subjectId: string) {
  return db
    .selectFrom('policy_acceptances')
    .select(['version', 'method', 'accepted_at', 'purposes'])
    .where('subject_id', '=', subjectId)
    .orderBy('version')
    .execute();
}

/**
 * The named columns of a table another context owns, keyed by the subject column: the
 * registry (`erasure/subject-tables.ts`) names both, so they are not known at compile time.
 */
export async function findRowsOf(db: Kysely<Database>, table: string, column: string, subjectIds: readonly string[], columns: readonly string[]): Promise<Record<string, unknown>[]> {
  const ids = sql.join(subjectIds.map((id) => sql`${id}`));
  const selected = sql.join(columns.map((name) => sql.ref(name)));
  const result = await sql<Record<string, unknown>>`select ${selected} from ${sql.table(table)} where ${sql.ref(column)} in (${ids})`.execute(db);
  return result.rows;
}
