/** SQL for disclosures and their per-subject accounting. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, DisclosureTable } from '../store/schema.js';
import type { Wrapped } from '../vault/keyring.js';
import { isLegalGround, type LegalGround } from './legal-grounds.js';

export interface DisclosureRow {
  id: string;
  recipient: string;
  purpose: string;
  categories: string[];
  country: string;
  kind: string;
  /** Sealed (`disclosure-details.ts`), or `''` when there are none. */
  details: string;
  /** A disclosure that carried no one: its key under the vault key. */
  detailsKey: string | null;
  actor: string;
  createdAt: string;
  subjectCount: number;
  manifestHash: string;
  legalGround: LegalGround | null;
  silentUntil: string | null;
}

/** One subject the disclosure carried, with its copy of the disclosure's key. */
export interface DisclosedSubject {
  subjectId: string;
  detailsKey: string | null;
}

export async function insertDisclosure(trx: Kysely<Database>, row: DisclosureRow, subjects: readonly DisclosedSubject[]): Promise<void> {
  await trx
    .insertInto('disclosures')
    .values({
      id: row.id,
      recipient: row.recipient,
      purpose: row.purpose,
      categories: JSON.stringify(row.categories),
      country: row.country,
      kind: row.kind,
      details: row.details,
      details_key: row.detailsKey,
      actor: row.actor,
      created_at: row.createdAt,
      subject_count: row.subjectCount,
      manifest_hash: row.manifestHash,
      legal_ground: row.legalGround,
      silent_until: row.silentUntil,
    })
    .execute();
  // Bounded multi-row inserts: one statement per 500 subjects keeps every dialect under its parameter limit.
  for (let start = 0; start < subjects.length; start += 500) {
    const values = subjects.slice(start, start + 500).map((subject) => ({ disclosure_id: row.id, subject_id: subject.subjectId, details_key: subject.detailsKey }));
    await trx.insertInto('disclosure_subjects').values(values).execute();
  }
}

/** Subjects holding records or events of any of these categories, a page at a time in id order. */
export async function subjectsHolding(db: Kysely<Database>, categories: readonly string[], after: string, limit: number): Promise<string[]> {
  const page = (table: 'vault_records' | 'events') =>
    db.selectFrom(table).select('subject_id').distinct().where('category', 'in', categories).where('subject_id', '>', after).orderBy('subject_id').limit(limit).execute();
  const [records, events] = await Promise.all([page('vault_records'), page('events')]);
  return [...new Set([...records, ...events].map((row) => row.subject_id))].sort().slice(0, limit);
}

/** The disclosures that carried this subject, each with the subject's copy of its key (`subjectDetailsKey`). */
export async function disclosuresOfSubject(db: Kysely<Database>, subjectId: string): Promise<(DisclosureRow & { subjectDetailsKey: string | null })[]> {
  const rows = await db
    .selectFrom('disclosures')
    .innerJoin('disclosure_subjects', 'disclosure_subjects.disclosure_id', 'disclosures.id')
    .selectAll('disclosures')
    .select('disclosure_subjects.details_key as subject_details_key')
    .where('disclosure_subjects.subject_id', '=', subjectId)
    .orderBy('disclosures.created_at')
    .execute();
  return rows.map((row) => ({ ...factsOf(row), details: row.details, detailsKey: row.details_key, subjectDetailsKey: row.subject_details_key }));
}

type FactColumns = 'id' | 'recipient' | 'purpose' | 'categories' | 'country' | 'kind' | 'actor' | 'created_at' | 'subject_count' | 'manifest_hash' | 'legal_ground' | 'silent_until';

/** What a disclosure row says that is no one's data: everything but its sealed details. */
function factsOf(row: Pick<Selectable<DisclosureTable>, FactColumns>): Omit<DisclosureRow, 'details' | 'detailsKey'> {
  return {
    id: row.id,
    recipient: row.recipient,
    purpose: row.purpose,
    categories: JSON.parse(row.categories) as string[],
    country: row.country,
    kind: row.kind,
    actor: row.actor,
    createdAt: row.created_at,
    subjectCount: row.subject_count,
    manifestHash: row.manifest_hash,
    legalGround: row.legal_ground !== null && isLegalGround(row.legal_ground) ? row.legal_ground : null,
    silentUntil: row.silent_until,
  };
}

/** Disclosures whose details are still in plain JSON (written before they were sealed). */
export async function disclosuresWithPlainDetails(db: Kysely<Database>, limit: number): Promise<{ id: string; details: string; subjectCount: number }[]> {
  const rows = await db
    .selectFrom('disclosures')
    .select(['id', 'details', 'subject_count'])
    .where('details', '<>', '')
    .where('details', 'not like', 'v1.%')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.id, details: row.details, subjectCount: row.subject_count }));
}

/** The subjects a disclosure's accounting still lists, with their wrapped data keys. */
export async function accountedSubjectKeys(db: Kysely<Database>, disclosureId: string): Promise<{ subjectId: string; key: Wrapped }[]> {
  const rows = await db
    .selectFrom('disclosure_subjects')
    .innerJoin('subject_keys', 'subject_keys.subject_id', 'disclosure_subjects.subject_id')
    .select(['disclosure_subjects.subject_id', 'subject_keys.wrapped', 'subject_keys.master_key_id'])
    .where('disclosure_subjects.disclosure_id', '=', disclosureId)
    .execute();
  return rows.map((row) => ({ subjectId: row.subject_id, key: { wrapped: row.wrapped, masterKeyId: row.master_key_id } }));
}

export async function updateDetails(
  db: Kysely<Database>,
  disclosureId: string,
  sealed: { details: string; detailsKey: string | null; subjectKeys: readonly { subjectId: string; detailsKey: string | null }[] },
): Promise<void> {
  await db.updateTable('disclosures').set({ details: sealed.details, details_key: sealed.detailsKey }).where('id', '=', disclosureId).execute();
  for (const subject of sealed.subjectKeys) {
    await db
      .updateTable('disclosure_subjects')
      .set({ details_key: subject.detailsKey })
      .where('disclosure_id', '=', disclosureId)
      .where('subject_id', '=', subject.subjectId)
      .execute();
  }
}

export interface DisclosedSubjectRows {
  key: Wrapped;
  /** ISO country the subject was collected in, when known. */
  region: string | null;
  records: { id: string; category: string; collectedAt: string; data: string }[];
  /** Rows of events (technical information), each sealed with the events it holds. */
  events: { id: string; category: string; name: string; occurredAt: string; data: string }[];
}

/**
 * The wrapped keys, regions and records of these categories of a batch of subjects, in
 * two queries whatever the batch's size (at most 500 ids, for the parameter limits).
 * Subjects that do not exist are absent; records come in collection order.
 */
export async function readSubjectsForDisclosure(
  db: Kysely<Database>,
  subjectIds: readonly string[],
  categories: readonly string[],
): Promise<Map<string, DisclosedSubjectRows>> {
  const found = new Map<string, DisclosedSubjectRows>();
  if (subjectIds.length === 0) return found;
  const keys = await db
    .selectFrom('subjects')
    .innerJoin('subject_keys', 'subject_keys.subject_id', 'subjects.id')
    .select(['subjects.id', 'subjects.region', 'subject_keys.wrapped', 'subject_keys.master_key_id'])
    .where('subjects.id', 'in', subjectIds)
    .execute();
  for (const row of keys) found.set(row.id, { key: { wrapped: row.wrapped, masterKeyId: row.master_key_id }, region: row.region, records: [], events: [] });
  if (categories.length === 0 || found.size === 0) return found;
  const records = await db
    .selectFrom('vault_records')
    .select(['subject_id', 'id', 'category', 'collected_at', 'data'])
    .where('subject_id', 'in', subjectIds)
    .where('category', 'in', categories)
    .orderBy('subject_id')
    .orderBy('collected_at')
    .orderBy('id')
    .execute();
  for (const row of records) found.get(row.subject_id)?.records.push({ id: row.id, category: row.category, collectedAt: row.collected_at, data: row.data });
  const events = await db
    .selectFrom('events')
    .select(['subject_id', 'id', 'category', 'name', 'occurred_at', 'data'])
    .where('subject_id', 'in', subjectIds)
    .where('category', 'in', categories)
    .orderBy('subject_id')
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  for (const row of events) found.get(row.subject_id)?.events.push({ id: row.id, category: row.category, name: row.name, occurredAt: row.occurred_at, data: row.data });
  return found;
}

/** The register of disclosures, newest first, a page at a time: what went where, why, how many people; no details. */
export async function latestDisclosures(db: Kysely<Database>, options: { before?: { createdAt: string; id: string }; limit: number }): Promise<Omit<DisclosureRow, 'details' | 'detailsKey'>[]> {
  let query = db.selectFrom('disclosures').select(['id', 'recipient', 'purpose', 'categories', 'country', 'kind', 'actor', 'created_at', 'subject_count', 'manifest_hash', 'legal_ground', 'silent_until']);
  const before = options.before;
  if (before) query = query.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]));
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  return rows.map(factsOf);
}
