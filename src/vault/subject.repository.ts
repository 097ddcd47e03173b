/** SQL for subjects, their wrapped keys, identifiers and encrypted records. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Wrapped } from './keyring.js';

export interface SubjectRow {
  id: string;
  kind: string;
  region: string | null;
  createdAt: string;
  lastActivityAt: string;
  closedAt: string | null;
}

export interface RecordRow {
  id: string;
  category: string;
  source: string;
  collectedAt: string;
  updatedAt: string;
  data: string;
}

export async function insertSubject(trx: Kysely<Database>, subject: SubjectRow, key: Wrapped): Promise<void> {
  await trx
    .insertInto('subjects')
    .values({
      id: subject.id,
      kind: subject.kind,
      region: subject.region,
      created_at: subject.createdAt,
      last_activity_at: subject.lastActivityAt,
      closed_at: subject.closedAt,
    })
    .execute();
  await trx
    .insertInto('subject_keys')
    .values({ subject_id: subject.id, wrapped: key.wrapped, master_key_id: key.masterKeyId, created_at: subject.createdAt })
    .execute();
}

export async function findSubject(db: Kysely<Database>, id: string): Promise<(SubjectRow & { key: Wrapped }) | undefined> {
  const row = await db
    .selectFrom('subjects')
    .innerJoin('subject_keys', 'subject_keys.subject_id', 'subjects.id')
    .select(['id', 'kind', 'region', 'subjects.created_at', 'last_activity_at', 'closed_at', 'wrapped', 'master_key_id'])
    .where('id', '=', id)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      kind: row.kind,
      region: row.region,
      createdAt: row.created_at,
      lastActivityAt: row.last_activity_at,
      closedAt: row.closed_at,
      key: { wrapped: row.wrapped, masterKeyId: row.master_key_id },
    }
  );
}

export async function touchSubject(trx: Kysely<Database>, id: string, at: string): Promise<void> {
  await trx.updateTable('subjects').set({ last_activity_at: at }).where('id', '=', id).execute();
}

export async function findSubjectIdByIdentifier(db: Kysely<Database>, kind: string, blindIndex: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('subject_identifiers')
    .select('subject_id')
    .where('kind', '=', kind)
    .where('blind_index', '=', blindIndex)
    .executeTakeFirst();
  return row?.subject_id;
}

export async function insertIdentifier(trx: Kysely<Database>, subjectId: string, kind: string, blindIndex: string): Promise<void> {
  await trx.insertInto('subject_identifiers').values({ subject_id: subjectId, kind, blind_index: blindIndex }).execute();
}

export async function deleteIdentifiers(trx: Kysely<Database>, subjectId: string, kind: string): Promise<void> {
  await trx.deleteFrom('subject_identifiers').where('subject_id', '=', subjectId).where('kind', '=', kind).execute();
}

export async function insertRecord(trx: Kysely<Database>, subjectId: string, record: RecordRow): Promise<void> {
  await trx
    .insertInto('vault_records')
    .values({
      id: record.id,
      subject_id: subjectId,
      category: record.category,
      source: record.source,
      collected_at: record.collectedAt,
      updated_at: record.updatedAt,
      data: record.data,
    })
    .execute();
}

export async function updateRecordData(trx: Kysely<Database>, id: string, data: string, at: string): Promise<void> {
  await trx.updateTable('vault_records').set({ data, updated_at: at }).where('id', '=', id).execute();
}

export async function findRecords(db: Kysely<Database>, subjectId: string, categories?: readonly string[]): Promise<RecordRow[]> {
  if (categories?.length === 0) return [];
  let query = db
    .selectFrom('vault_records')
    .select(['id', 'category', 'source', 'collected_at', 'updated_at', 'data'])
    .where('subject_id', '=', subjectId);
  if (categories) query = query.where('category', 'in', categories);
  const rows = await query.orderBy('collected_at').orderBy('id').execute();
  return rows.map((row) => ({
    id: row.id,
    category: row.category,
    source: row.source,
    collectedAt: row.collected_at,
    updatedAt: row.updated_at,
    data: row.data,
  }));
}

/** The categories in which the subject holds at least one record. */
/** The categories these subjects have data of: their records', and their events' (technical information). */
export async function categoriesHeld(db: Kysely<Database>, subjectIds: readonly string[]): Promise<Set<string>> {
  const records = await db.selectFrom('vault_records').select('category').distinct().where('subject_id', 'in', subjectIds).execute();
  const events = await db.selectFrom('events').select('category').distinct().where('subject_id', 'in', subjectIds).execute();
  return new Set([...records, ...events].map((row) => row.category));
}

export async function hasCategory(db: Kysely<Database>, subjectId: string, category: string): Promise<boolean> {
  const row = await db
    .selectFrom('vault_records')
    .select('id')
    .where('subject_id', '=', subjectId)
    .where('category', '=', category)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * A subject's wrapped key and its records of some categories, in one query: the read
 * path's hot spot. Undefined when the subject does not exist.
 */
export async function findKeyAndRecords(
  db: Kysely<Database>,
  subjectId: string,
  categories: readonly string[],
): Promise<{ key: Wrapped; records: RecordRow[] } | undefined> {
  const rows = await db
    .selectFrom('subject_keys')
    .leftJoin('vault_records', (join) =>
      join
        .onRef('vault_records.subject_id', '=', 'subject_keys.subject_id')
        .on('vault_records.category', 'in', categories.length > 0 ? categories : ['']),
    )
    .select([
      'subject_keys.wrapped',
      'subject_keys.master_key_id',
      'vault_records.id',
      'vault_records.category',
      'vault_records.source',
      'vault_records.collected_at',
      'vault_records.updated_at',
      'vault_records.data',
    ])
    .where('subject_keys.subject_id', '=', subjectId)
    .execute();
  const [first] = rows;
  if (!first) return undefined;
  const records: RecordRow[] = [];
  for (const row of rows) {
    if (row.id === null || row.category === null || row.source === null || row.collected_at === null || row.updated_at === null || row.data === null) continue;
    records.push({ id: row.id, category: row.category, source: row.source, collectedAt: row.collected_at, updatedAt: row.updated_at, data: row.data });
  }
  // Sorted here rather than in SQL: a subject has few records, and the index serves the join.
  records.sort((a, b) => (a.collectedAt === b.collectedAt ? (a.id < b.id ? -1 : 1) : a.collectedAt < b.collectedAt ? -1 : 1));
  return { key: { wrapped: first.wrapped, masterKeyId: first.master_key_id }, records };
}

/** Records the account's closure, once: a second closure keeps the first moment. */
export async function markSubjectClosed(trx: Kysely<Database>, id: string, at: string): Promise<void> {
  await trx.updateTable('subjects').set({ closed_at: at }).where('id', '=', id).where('closed_at', 'is', null).execute();
}
