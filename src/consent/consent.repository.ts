/** SQL for consent records: inserted, never updated. */
import type { Kysely, Selectable } from 'kysely';
import type { ConsentRecordTable, Database } from '../store/schema.js';
import type { ConsentRecord } from './consent-record.js';

export async function insertConsentRecord(trx: Kysely<Database>, record: ConsentRecord): Promise<void> {
  await trx
    .insertInto('consent_records')
    .values({
      id: record.id,
      subject_id: record.subjectId,
      policy_version: record.policyVersion,
      granted: JSON.stringify(record.granted),
      refused: JSON.stringify(record.refused),
      source: record.source,
      gpc: record.gpc ? 1 : 0,
      dnt: record.dnt ? 1 : 0,
      recorded_at: record.recordedAt,
      banner_hash: record.bannerHash,
      proof: record.proof,
      region: record.region,
      consent_model: record.consentModel,
    })
    .execute();
}

/** These subjects' records, oldest first. */
export async function findConsentRecords(db: Kysely<Database>, subjectIds: readonly string[]): Promise<ConsentRecord[]> {
  if (subjectIds.length === 0) return [];
  const rows = await db.selectFrom('consent_records').selectAll().where('subject_id', 'in', subjectIds).orderBy('recorded_at').orderBy('id').execute();
  return rows.map(toRecord);
}

function toRecord(row: Selectable<ConsentRecordTable>): ConsentRecord {
  return {
    id: row.id,
    subjectId: row.subject_id,
    policyVersion: row.policy_version,
    granted: categoryIds(row.granted),
    refused: categoryIds(row.refused),
    source: row.source,
    gpc: row.gpc === 1,
    dnt: row.dnt === 1,
    recordedAt: row.recorded_at,
    bannerHash: row.banner_hash,
    region: row.region,
    consentModel: row.consent_model,
    proof: row.proof,
  };
}

function categoryIds(json: string): string[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.map(String) : [];
}
