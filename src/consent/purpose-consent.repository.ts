/** SQL for consents to purposes: inserted, never updated. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, PurposeConsentTable } from '../store/schema.js';
import { isStaffChannel, type PurposeConsentRecord } from './purpose-consent.js';

export async function insertPurposeConsents(trx: Kysely<Database>, records: readonly PurposeConsentRecord[]): Promise<void> {
  if (records.length === 0) return;
  await trx
    .insertInto('purpose_consents')
    .values(
      records.map((record) => ({
        id: record.id,
        subject_id: record.subjectId,
        purpose: record.purpose,
        granted: record.granted ? 1 : 0,
        source: record.source,
        channel: record.channel,
        actor: record.actor,
        policy_version: record.policyVersion,
        text_hash: record.textHash,
        recorded_at: record.recordedAt,
        proof: record.proof,
      })),
    )
    .execute();
}

/** The records of these subjects, oldest first. */
export async function findPurposeConsents(db: Kysely<Database>, subjectIds: readonly string[]): Promise<PurposeConsentRecord[]> {
  if (subjectIds.length === 0) return [];
  const rows = await db.selectFrom('purpose_consents').selectAll().where('subject_id', 'in', subjectIds).orderBy('recorded_at').orderBy('id').execute();
  return rows.map(toRecord);
}

/**
 * For each of these subjects, the consent-based purposes it has consented to now: the
 * latest decision per purpose among the subject and the subjects linked to it (an
 * account and its visitors decide as one person).
 */
export async function consentedPurposesOf(db: Kysely<Database>, subjectIds: readonly string[], purposes: readonly string[]): Promise<Map<string, Set<string>>> {
  const result = new Map<string, Set<string>>();
  if (subjectIds.length === 0 || purposes.length === 0) return result;
  const links = await db
    .selectFrom('subject_links')
    .select(['subject_id', 'linked_subject_id'])
    .where((eb) => eb.or([eb('subject_id', 'in', subjectIds), eb('linked_subject_id', 'in', subjectIds)]))
    .execute();
  const people = new Map<string, Set<string>>(subjectIds.map((id) => [id, new Set([id])]));
  for (const link of links) {
    people.get(link.subject_id)?.add(link.linked_subject_id);
    people.get(link.linked_subject_id)?.add(link.subject_id);
  }
  const everyone = [...new Set([...people.values()].flatMap((ids) => [...ids]))];
  const rows = await db
    .selectFrom('purpose_consents')
    .select(['subject_id', 'purpose', 'granted', 'recorded_at', 'id'])
    .where('subject_id', 'in', everyone)
    .where('purpose', 'in', purposes)
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();
  for (const [subjectId, ids] of people) {
    const latest = new Map<string, boolean>();
    for (const row of rows) if (ids.has(row.subject_id)) latest.set(row.purpose, row.granted === 1);
    result.set(subjectId, new Set([...latest].filter(([, granted]) => granted).map(([purpose]) => purpose)));
  }
  return result;
}

/** The `in` lists of one query stay well under every dialect's parameter limit. */
const CHUNK = 1000;

/**
 * Every subject whose person consents now to each of `purposes`: those that recorded a
 * grant, and the subjects linked to them (an account's visitors carry its decision).
 */
export async function subjectsConsentingToAll(db: Kysely<Database>, purposes: readonly string[]): Promise<string[]> {
  if (purposes.length === 0) return [];
  const granting = await db.selectFrom('purpose_consents').select('subject_id').distinct().where('purpose', 'in', purposes).where('granted', '=', 1).execute();
  const candidates = new Set(granting.map((row) => row.subject_id));
  const seeds = [...candidates];
  for (let at = 0; at < seeds.length; at += CHUNK) {
    const chunk = seeds.slice(at, at + CHUNK);
    const links = await db
      .selectFrom('subject_links')
      .select(['subject_id', 'linked_subject_id'])
      .where((eb) => eb.or([eb('subject_id', 'in', chunk), eb('linked_subject_id', 'in', chunk)]))
      .execute();
    for (const link of links) {
      candidates.add(link.subject_id);
      candidates.add(link.linked_subject_id);
    }
  }
  const all = [...candidates];
  const consenting: string[] = [];
  for (let at = 0; at < all.length; at += CHUNK) {
    const consented = await consentedPurposesOf(db, all.slice(at, at + CHUNK), purposes);
    for (const [subjectId, granted] of consented) if (purposes.every((purpose) => granted.has(purpose))) consenting.push(subjectId);
  }
  return consenting.sort();
}

function toRecord(row: Selectable<PurposeConsentTable>): PurposeConsentRecord {
  return {
    id: row.id,
    subjectId: row.subject_id,
    purpose: row.purpose,
    granted: row.granted === 1,
    source: row.source,
    channel: row.channel !== null && isStaffChannel(row.channel) ? row.channel : null,
    actor: row.actor,
    policyVersion: row.policy_version,
    textHash: row.text_hash,
    recordedAt: row.recorded_at,
    proof: row.proof,
  };
}
