/** SQL for disclosures and their per-subject accounting. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Wrapped } from '../vault/keyring.js';
import { isLegalGround, type LegalGround } from './legal-grounds.js';

export interface DisclosureRow {
  id: string;
  recipient: string;
  purpose: string;
  categories: string[];
  country: string;
  kind: string;
  details: Record<string, string>;
  actor: string;
  createdAt: string;
  subjectCount: number;
  manifestHash: string;
  legalGround: LegalGround | null;
  silentUntil: string | null;
}

export async function insertDisclosure(trx: Kysely<Database>, row: DisclosureRow, subjectIds: readonly string[]): Promise<void> {
  await trx
    .insertInto('disclosures')
    .values({
      id: row.id,
      recipient: row.recipient,
      purpose: row.purpose,
      categories: JSON.stringify(row.categories),
      country: row.country,
      kind: row.kind,
      details: JSON.stringify(row.details),
      actor: row.actor,
      created_at: row.createdAt,
      subject_count: row.subjectCount,
      manifest_hash: row.manifestHash,
      legal_ground: row.legalGround,
      silent_until: row.silentUntil,
    })
    .execute();
  // Bounded multi-row inserts: one statement per 500 subjects keeps every dialect under its parameter limit.
  for (let start = 0; start < subjectIds.length; start += 500) {
    const values = subjectIds.slice(start, start + 500).map((subjectId) => ({ disclosure_id: row.id, subject_id: subjectId }));
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

export async function disclosuresOfSubject(db: Kysely<Database>, subjectId: string): Promise<DisclosureRow[]> {
  const rows = await db
    .selectFrom('disclosures')
    .innerJoin('disclosure_subjects', 'disclosure_subjects.disclosure_id', 'disclosures.id')
    .selectAll('disclosures')
    .where('disclosure_subjects.subject_id', '=', subjectId)
    .orderBy('disclosures.created_at')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    recipient: row.recipient,
    purpose: row.purpose,
    categories: JSON.parse(row.categories) as string[],
    country: row.country,
    kind: row.kind,
    details: JSON.parse(row.details) as Record<string, string>,
    actor: row.actor,
    createdAt: row.created_at,
    subjectCount: row.subject_count,
    manifestHash: row.manifest_hash,
    legalGround: row.legal_ground !== null && isLegalGround(row.legal_ground) ? row.legal_ground : null,
    silentUntil: row.silent_until,
  }));
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
