import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { linkedSubjects } from '../vault/link-visitor.js';
import type { ConsentRecord } from './consent-record.js';
import { findConsentRecords } from './consent.repository.js';
import type { PurposeConsentRecord } from './purpose-consent.js';
import { findPurposeConsents } from './purpose-consent.repository.js';

/**
 * Every cookie decision a person made, oldest first (the current one last): the
 * subject's own and its linked visitors', as the access export shows them; empty for an
 * unknown subject.
 */
export async function consentHistory(db: Kysely<Database>, subjectId: string): Promise<ConsentRecord[]> {
  return findConsentRecords(db, [subjectId, ...(await linkedSubjects(db, subjectId))]);
}

/** Every decision on consent-based purposes, the subject's own and its linked visitors', oldest first. */
export async function purposeConsentHistory(db: Kysely<Database>, subjectId: string): Promise<PurposeConsentRecord[]> {
  return findPurposeConsents(db, [subjectId, ...(await linkedSubjects(db, subjectId))]);
}
