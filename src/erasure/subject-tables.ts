/**
 * Every table that names a subject, and what erasure does to it. A test reads the live
 * schema and fails when a table with a `subject_id` column is missing here, so a new
 * subject-keyed table cannot be forgotten by erasure: add one line for it.
 *
 * `delete`: the rows go (within what a legal hold keeps). `keep-pseudonymous`: the rows
 * stay, holding the subject's pseudonymous id and nothing personal, for the reason given.
 */
import type { Database } from '../store/schema.js';

export type SubjectTableTreatment = 'delete' | 'keep-pseudonymous';

export interface SubjectTableEntry {
  table: keyof Database;
  /** The column holding the subject's id. */
  column: string;
  treatment: SubjectTableTreatment;
  /** Why the table is treated so: what it holds, or why keeping it is lawful. */
  why: string;
  /** The column naming each row's data category: a hold on some categories keeps those rows. */
  categoryColumn?: string;
  /**
   * Deleted last, and only when no held data remains: the subject and its data key, which
   * the held data still needs. Deleting the key is what crypto-shreds every copy (backups too).
   */
  last?: boolean;
  /**
   * Deleted after the erasure's transaction by the purge (`purge-erased.ts`), a few hundred
   * rows at a time: the table can hold many rows per subject scattered through a large
   * file. By then the data key is gone, so what waits is unreadable ciphertext, and the
   * subject row stays as a tombstone (kind `erased`, no region) until the purge is done.
   */
  deferred?: boolean;
  /**
   * Kept while a legal hold keeps any of the subject's data, and deleted with the rest when
   * the last hold is released: the records that go with the held data (its opt-out, who
   * received it, where it crossed borders) are part of what the law needs kept.
   */
  keptWhileHeld?: boolean;
  /** Columns of a kept table that could still single the subject out: set to null at erasure. */
  cleared?: string[];
}

export const subjectTables: readonly SubjectTableEntry[] = [
  { table: 'vault_records', column: 'subject_id', treatment: 'delete', categoryColumn: 'category', why: 'the collected records, sealed under the subject key' },
  { table: 'events', column: 'subject_id', treatment: 'delete', categoryColumn: 'category', deferred: true, why: 'technical events, sealed under the subject key' },
  { table: 'consent_records', column: 'subject_id', treatment: 'delete', why: 'consent decisions: no processing remains for them to justify' },
  { table: 'purpose_consents', column: 'subject_id', treatment: 'delete', why: 'consents to consent-based purposes: no processing remains for them to justify' },
  { table: 'subject_identifiers', column: 'subject_id', treatment: 'delete', why: 'blind indexes of e-mail, phone, handles and visitor ids' },
  // Kept while held data remains, so that releasing the hold finishes the linked visitor's erasure too.
  { table: 'subject_links', column: 'subject_id', treatment: 'delete', last: true, why: 'the link of an account to its visitor ids' },
  { table: 'subject_links', column: 'linked_subject_id', treatment: 'delete', last: true, why: 'the link of a visitor id to its account' },
  {
    table: 'disclosure_subjects',
    column: 'subject_id',
    treatment: 'delete',
    keptWhileHeld: true,
    why: 'the per-subject accounting, and its copy of the disclosure key that opens the details (sealed under the subject key); the ids of the disclosures that included the subject are kept in its erasure proof (proof of lawful disclosure, and what recipients were told to erase), the disclosure rows themselves hold counts, hashes and details no key is left to open',
  },
  { table: 'subject_transfers', column: 'subject_id', treatment: 'delete', keptWhileHeld: true, why: 'which international transfers carried the subject data' },
  { table: 'subject_visibility', column: 'subject_id', treatment: 'delete', why: 'the subject choices of visible fields' },
  { table: 'sale_opt_outs', column: 'subject_id', treatment: 'delete', keptWhileHeld: true, why: 'the sale opt-out: nothing is left to sell' },
  { table: 'policy_notices', column: 'subject_id', treatment: 'delete', why: 'which policy notices the subject was sent' },
  { table: 'policy_acceptances', column: 'subject_id', treatment: 'delete', why: 'which policy versions the subject accepted' },
  { table: 'request_exports', column: 'subject_id', treatment: 'delete', why: 'access exports: a sealed copy of the subject data' },
  {
    table: 'outbox_messages',
    column: 'subject_id',
    treatment: 'delete',
    why: 'messages to the subject carry its address and text (sealed); a completion notice is queued after the erasure',
  },
  {
    table: 'requests',
    column: 'subject_id',
    treatment: 'keep-pseudonymous',
    // The keyed hash of the requester's address would let whoever holds the key test an address.
    cleared: ['address_hash'],
    why: 'the record that a request was received and answered within its deadline (accountability); its sealed contents go with the subject key',
  },
  {
    table: 'child_reports',
    column: 'subject_id',
    treatment: 'keep-pseudonymous',
    why: 'a confirmed report is the proof of why the child was erased; its sealed contents are cleared once confirmed',
  },
  { table: 'erasures', column: 'subject_id', treatment: 'keep-pseudonymous', why: 'the proof of erasure itself: times, counts, no personal data' },
  {
    table: 'legal_holds',
    column: 'subject_id',
    treatment: 'keep-pseudonymous',
    why: 'the legal obligation that keeps data; its reason is sealed under the legal-holds key',
  },
  {
    table: 'webhook_deliveries',
    column: 'subject_id',
    treatment: 'keep-pseudonymous',
    why: 'the notices telling recipients to erase must still be delivered; bodies hold the pseudonymous id only',
  },
  {
    table: 'recipient_tasks',
    column: 'subject_id',
    treatment: 'keep-pseudonymous',
    why: 'the tasks telling staff to pass an erasure or correction on to a recipient without a webhook must outlive the erasure; they hold the pseudonymous id, recipient and field names only',
  },
  { table: 'subject_keys', column: 'subject_id', treatment: 'delete', last: true, why: 'the data key: destroying it crypto-shreds every copy' },
  { table: 'subjects', column: 'id', treatment: 'delete', last: true, why: 'the subject itself' },
];
