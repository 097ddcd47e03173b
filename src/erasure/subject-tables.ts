/**
 * Every table of Vow's own that names a subject: what erasure does to it, and what the
 * access export shows of it. A test reads the live schema and fails when a table with a
 * `subject_id` column is missing here, so a new subject-keyed table cannot be forgotten by
 * erasure or export: add one line for it. (Where else a subject's data lives, the
 * company's systems and the recipients, is in `subject-data/data-places.ts`.)
 *
 * `delete`: the rows go (within what a legal hold keeps). `keep-pseudonymous`: the rows
 * stay, holding the subject's pseudonymous id and nothing personal, for the reason given.
 */
import type { Database } from '../store/schema.js';

export type SubjectTableTreatment = 'delete' | 'keep-pseudonymous';

/** A column shown in the export: by name, or read as a yes/no (stored 0/1) or as JSON. */
export type ExportedColumn = string | { column: string; as: 'boolean' | 'json' };

/**
 * What the access export shows of a table. `part`: a part of its own, with exactly these
 * columns (name in the export → column), nothing else: a column added later stays out
 * until someone decides it belongs. `readBy`: a part `export-subject.ts` builds itself
 * (decrypting, grouping). `hidden`: never shown, and why.
 */
export type TableExport = { part: string; columns: Readonly<Record<string, ExportedColumn>> } | { readBy: string } | { hidden: string };

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
  exported: TableExport;
}

export const subjectTables: readonly SubjectTableEntry[] = [
  { table: 'vault_records', column: 'subject_id', treatment: 'delete', categoryColumn: 'category', exported: { readBy: 'account, communications, social, other-records' }, why: 'the collected records, sealed under the subject key' },
  { table: 'events', column: 'subject_id', treatment: 'delete', categoryColumn: 'category', deferred: true, exported: { readBy: 'events' }, why: 'technical events, sealed under the subject key' },
  { table: 'consent_records', column: 'subject_id', treatment: 'delete', exported: { readBy: 'consents' }, why: 'consent decisions: no processing remains for them to justify' },
  {
    table: 'purpose_consents',
    column: 'subject_id',
    treatment: 'delete',
    exported: {
      part: 'purpose-consents',
      columns: { id: 'id', purpose: 'purpose', granted: { column: 'granted', as: 'boolean' }, source: 'source', channel: 'channel', policyVersion: 'policy_version', recordedAt: 'recorded_at', proof: 'proof' },
    },
    why: 'consents to consent-based purposes: no processing remains for them to justify',
  },
  { table: 'subject_identifiers', column: 'subject_id', treatment: 'delete', exported: { hidden: 'keyed hashes of values the export shows in the clear' }, why: 'blind indexes of e-mail, phone, handles and visitor ids' },
  // Kept while held data remains, so that releasing the hold finishes the linked visitor's erasure too.
  { table: 'subject_links', column: 'subject_id', treatment: 'delete', last: true, exported: { readBy: 'subject (linkedVisitors)' }, why: 'the link of an account to its visitor ids' },
  { table: 'subject_links', column: 'linked_subject_id', treatment: 'delete', last: true, exported: { readBy: 'subject (linkedVisitors)' }, why: 'the link of a visitor id to its account' },
  {
    table: 'disclosure_subjects',
    column: 'subject_id',
    treatment: 'delete',
    keptWhileHeld: true,
    exported: { readBy: 'disclosures' },
    why: 'the per-subject accounting, and its copy of the disclosure key that opens the details (sealed under the subject key); the ids of the disclosures that included the subject are kept in its erasure proof (proof of lawful disclosure, and what recipients were told to erase), the disclosure rows themselves hold counts, hashes and details no key is left to open',
  },
  {
    table: 'subject_transfers',
    column: 'subject_id',
    treatment: 'delete',
    keptWhileHeld: true,
    exported: { part: 'transfers', columns: { fromCountry: 'from_country', toCountry: 'to_country', safeguard: 'safeguard', basis: 'basis', firstAt: 'first_at' } },
    why: 'which international transfers carried the subject data',
  },
  {
    table: 'subject_visibility',
    column: 'subject_id',
    treatment: 'delete',
    exported: { part: 'visibility', columns: { fields: { column: 'fields', as: 'json' }, updatedAt: 'updated_at' } },
    why: 'the subject choices of visible fields',
  },
  {
    table: 'sale_opt_outs',
    column: 'subject_id',
    treatment: 'delete',
    keptWhileHeld: true,
    exported: { part: 'sale-opt-out', columns: { optedOut: { column: 'opted_out', as: 'boolean' }, reason: 'reason', updatedAt: 'updated_at' } },
    why: 'the sale opt-out: nothing is left to sell',
  },
  { table: 'policy_notices', column: 'subject_id', treatment: 'delete', exported: { readBy: 'policy' }, why: 'which policy notices the subject was sent' },
  { table: 'policy_acceptances', column: 'subject_id', treatment: 'delete', exported: { readBy: 'policy' }, why: 'which policy versions the subject accepted' },
  { table: 'request_exports', column: 'subject_id', treatment: 'delete', exported: { hidden: 'earlier exports: sealed copies of the same data' }, why: 'access exports: a sealed copy of the subject data' },
  {
    table: 'outbox_messages',
    column: 'subject_id',
    treatment: 'delete',
    exported: { hidden: 'the messages Vow sent the subject, which the subject received' },
    why: 'messages to the subject carry its address and text (sealed); a completion notice is queued after the erasure',
  },
  {
    table: 'requests',
    column: 'subject_id',
    treatment: 'keep-pseudonymous',
    // The keyed hash of the requester's address would let whoever holds the key test an address.
    cleared: ['address_hash'],
    exported: { part: 'requests', columns: { id: 'id', kind: 'kind', status: 'status', jurisdiction: 'jurisdiction', receivedAt: 'received_at', dueAt: 'due_at', extendedAt: 'extended_at', verifiedAt: 'verified_at', closedAt: 'closed_at', outcome: 'outcome' } },
    why: 'the record that a request was received and answered within its deadline (accountability); its sealed contents go with the subject key',
  },
  {
    table: 'child_reports',
    column: 'subject_id',
    treatment: 'keep-pseudonymous',
    exported: { hidden: 'reports made by other people about a child: their contents are the reporters’ words' },
    why: 'a confirmed report is the proof of why the child was erased; its sealed contents are cleared once confirmed',
  },
  {
    table: 'erasures',
    column: 'subject_id',
    treatment: 'keep-pseudonymous',
    exported: { hidden: 'proofs that data was erased: counts and times of data the subject no longer has' },
    why: 'the proof of erasure itself: times, counts, no personal data',
  },
  {
    table: 'legal_holds',
    column: 'subject_id',
    treatment: 'keep-pseudonymous',
    exported: { hidden: 'a legal hold can be confidential to the proceedings it serves; what it keeps is exported with the rest' },
    why: 'the legal obligation that keeps data; its reason is sealed under the legal-holds key',
  },
  {
    table: 'webhook_deliveries',
    column: 'subject_id',
    treatment: 'keep-pseudonymous',
    exported: { hidden: 'the notices to recipients, whose disclosures the export lists' },
    why: 'the notices telling recipients to erase must still be delivered; bodies hold the pseudonymous id only',
  },
  {
    table: 'recipient_tasks',
    column: 'subject_id',
    treatment: 'keep-pseudonymous',
    exported: { part: 'recipient-tasks', columns: { id: 'id', recipient: 'recipient', event: 'event', status: 'status', createdAt: 'created_at', doneAt: 'done_at' } },
    why: 'the tasks telling staff to pass an erasure or correction on to a recipient without a webhook must outlive the erasure; they hold the pseudonymous id, recipient and field names only',
  },
  {
    table: 'breach_subjects',
    column: 'subject_id',
    treatment: 'keep-pseudonymous',
    exported: { part: 'breaches', columns: { breach: 'breach_id', affectedSince: 'added_at' } },
    why: 'the register of breaches must say whom each affected (GDPR art. 33(5)); it holds the pseudonymous id only',
  },
  { table: 'subject_keys', column: 'subject_id', treatment: 'delete', last: true, exported: { hidden: 'the data key, wrapped under the master key' }, why: 'the data key: destroying it crypto-shreds every copy' },
  { table: 'subjects', column: 'id', treatment: 'delete', last: true, exported: { readBy: 'subject' }, why: 'the subject itself' },
];
