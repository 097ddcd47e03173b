import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { ConsentRecord } from './consent-record.js';
import { findConsentRecords } from './consent.repository.js';

/** Every decision a subject made, oldest first (the current one last); empty for an unknown subject. */
export function consentHistory(db: Kysely<Database>, subjectId: string): Promise<ConsentRecord[]> {
  return findConsentRecords(db, subjectId);
}
