/** The tables of Vow's store, as the typed SQL builder sees them. One schema for both dialects. */
import type { Generated, Insertable, Selectable } from 'kysely';

export interface PolicyVersionTable {
  number: number;
  hash: string;
  published_at: string;
  /** 1 when the change is material (subjects must be told); integers keep SQLite and PostgreSQL alike. */
  material: number;
  /** The validated declaration as canonical JSON. */
  content: string;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  /** A pseudonymous id (`policy:v3`, `subject:…`), never personal data. */
  target: string;
  /** Non-personal details as canonical JSON. */
  data: string;
  prev_hash: string;
  hash: string;
}

/** One row: the newest sequence number and hash, keyed, so that truncating the log's tail is detected. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
  /** HMAC-SHA256 over seq and hash under a key derived from the master key (see audit/audit-head-key.ts); null only if someone cleared it. */
  mac: string | null;
  /** The master key the MAC's key was derived from. */
  mac_key_id: string | null;
}

/** Keys Vow itself uses (the blind-index key), wrapped by the master key like data keys. */
export interface VaultKeyTable {
  name: string;
  wrapped: string;
  master_key_id: string;
  created_at: string;
}

/** A person Vow holds data about, known only by a pseudonymous id. */
export interface SubjectTable {
  id: string;
  /** How Vow first met the subject: account, contact, social, visitor. */
  kind: string;
  /** ISO 3166-1 country where the data was collected, when known. */
  region: string | null;
  created_at: string;
  last_activity_at: string;
  /** When the account was closed; retention periods "from account closure" count from here. */
  closed_at: string | null;
}

/** The subject's own data key, wrapped by the master key. Destroying it crypto-shreds every copy. */
export interface SubjectKeyTable {
  subject_id: string;
  wrapped: string;
  master_key_id: string;
  created_at: string;
}

/** Keyed blind indexes (HMAC) of identifiers: lookups by e-mail without storing it. */
export interface SubjectIdentifierTable {
  kind: string;
  blind_index: string;
  subject_id: string;
}

/** One collected record of one category; every field encrypted under the subject's key. */
export interface VaultRecordTable {
  id: string;
  subject_id: string;
  category: string;
  source: string;
  collected_at: string;
  updated_at: string;
  /** JSON object: field name → ciphertext (the record id and field name bound in as associated data). */
  data: string;
}

/** Platform analytics kept as aggregates, never per person. */
export interface SocialAggregateTable {
  id: string;
  platform: string;
  metric: string;
  period: string;
  value: number;
  imported_at: string;
}

export interface ApiKeyTable {
  id: string;
  /** SHA-256 of the secret; the secret itself is shown once and never stored. */
  secret_hash: string;
  role: string;
  /** JSON array of purpose ids this key may read for. */
  purposes: string;
  label: string;
  created_at: string;
  revoked_at: string | null;
}

/** Periodic jobs: a process runs one only after moving its next_run_at forward, which only one process can do. */
export interface JobScheduleTable {
  name: string;
  next_run_at: string;
  last_run_at: string | null;
  last_result: string | null;
}

/** One consent decision, append-only: never updated, only followed by a newer one. */
export interface ConsentRecordTable {
  id: string;
  subject_id: string;
  /** The policy version the visitor was shown. */
  policy_version: number;
  /** JSON arrays of cookie-category ids. */
  granted: string;
  refused: string;
  /** banner, api or signal. */
  source: string;
  /** 1 when the signal was present on the request that carried the decision. */
  gpc: number;
  dnt: number;
  recorded_at: string;
  /** SHA-256 of the banner text shown, so the proof names exactly what was agreed to. */
  banner_hash: string;
  /** SHA-256 over the canonical record (including banner_hash). */
  proof: string;
  /** The visitor's country (or subdivision) when known; null before this was recorded. */
  region: string | null;
  /** opt-in or opt-out: the model the banner showed; null before this was recorded. */
  consent_model: string | null;
}

/**
 * Technical information from the SDK or the server: dimensions in the clear, the rest
 * sealed under the subject's key. A row is a group of events that share every clear
 * dimension (collect/group-events.ts); statistics and counts add up `event_count`.
 */
export interface EventTable {
  id: string;
  subject_id: string;
  /** The declared data category (usage-data, log-data, device-information, analytics). */
  category: string;
  /** page_view, action, feature, request … */
  name: string;
  /** The earliest of the row's events; the others occurred within the same UTC hour. */
  occurred_at: string;
  received_at: string;
  /** ISO 3166-1 alpha-2, or null. */
  country: string | null;
  /** Encrypted JSON: one entry per event of the row (its time, path, features, device, truncated address, …). */
  data: string;
  /** How many events the row holds: those of one request that share subject, category, name, hour and country. */
  event_count: Generated<number>;
}

/** One act of disclosure: what went to whom, why, and the hash of the signed package. */
export interface DisclosureTable {
  id: string;
  recipient: string;
  purpose: string;
  /** JSON array of category ids. */
  categories: string;
  country: string;
  /** disclosure, business-transfer or legal-request. */
  kind: string;
  /**
   * The details (for a legal request: authority, legal process, scope), sealed under the
   * disclosure's own key (`disclosures/disclosure-details.ts`); `''` when none were given.
   */
  details: string;
  /** A disclosure that carried no one: its key, sealed under the `disclosure-details` vault key. */
  details_key: string | null;
  actor: string;
  created_at: string;
  subject_count: number;
  /** SHA-256 of the package's manifest, which lists the hash of every line. */
  manifest_hash: string;
  /** Legal requests: which of the policy's grounds (i)–(v) of section 3 the disclosure rests on. */
  legal_ground: string | null;
  /** Legal requests: until when the subjects may not be told (a gag order); null when they may be at once. */
  silent_until: string | null;
}

/** The accounting of disclosures: one row per subject per disclosure ("who received what, when, why"). */
export interface DisclosureSubjectTable {
  disclosure_id: string;
  subject_id: string;
  /** The disclosure's key, sealed under the subject's data key: erasing the subject shreds this copy. Null when there are no details. */
  details_key: string | null;
}

/** The privacy budget (epsilon) of one data set: what it may spend in all, and what releases have spent. */
export interface StatsBudgetTable {
  dataset: string;
  /** Exact rationals as text: a decimal ("1", "0.5") or a fraction ("1/3"). */
  total: string;
  spent: string;
}

/** One released table of noisy statistics, stored once and served as stored: never recomputed with fresh noise. */
export interface StatsReleaseTable {
  id: string;
  dataset: string;
  /** The release request, defaults filled in, as canonical JSON. */
  query: string;
  /** The epsilon charged to the data set's budget, as an exact rational. */
  epsilon: string;
  /** The noise, as canonical JSON: `{"kind":"discrete-laplace","scale":"20"}`. */
  mechanism: string;
  created_at: string;
  /** JSON array of the released cells: `[{ key: { country, week }, value }]`. */
  cells: string;
  /** How many cells were held back for having too few subjects. */
  suppressed: number;
  actor: string;
}

/** A visitor subject (consent records, events) linked to the account of the person behind it. */
export interface SubjectLinkTable {
  /** The account. */
  subject_id: string;
  /** The visitor; linked to one account at most. */
  linked_subject_id: string;
  linked_at: string;
}

/** A report that a child under the minimum age provided data: a review, its content sealed under the `child-reports` vault key. */
export interface ChildReportTable {
  id: string;
  /** The subject the report names, when known; kept after erasure as a pseudonymous id. */
  subject_id: string | null;
  /** open, confirming (claimed, being carried out), confirmed or dismissed. */
  status: string;
  /** Sealed: the reporter's e-mail, the child's e-mail, the details, the dismissal reason (cleared once confirmed). */
  reporter: string | null;
  child_email: string | null;
  details: string | null;
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decision_reason: string | null;
  /** erased, held (a legal hold kept the data), nothing-held, or null while open. */
  outcome: string | null;
  /** When the confirmation was claimed (status confirming). */
  claimed_at: string | null;
}

/** That a subject was sent the notice of a material policy version. */
export interface PolicyNoticeTable {
  subject_id: string;
  version: number;
  notified_at: string;
  /** The outbox message, when the subject had an address to send to. */
  message_id: string | null;
}

/** A subject's acceptance of a policy version: explicit, or by continued use after the notice. */
export interface PolicyAcceptanceTable {
  subject_id: string;
  version: number;
  /** explicit or continued-use. */
  method: string;
  accepted_at: string;
  actor: string;
  /** JSON array of the purposes the acceptance covers (continued use never covers consent-based ones). */
  purposes: string;
}

/** A data-subject request; its contact address and texts sealed (`sealed_with`: the subject's key, or the `requests` vault key for an unknown address). */
export interface RequestTable {
  id: string;
  /** access, correction, deletion, opt-out or question. */
  kind: string;
  /** unverified, open, completing (claimed, being carried out), completed, denied or expired. */
  status: string;
  /** The subject the request is about, when known; kept after erasure as a pseudonymous id. */
  subject_id: string | null;
  /** Blind index (keyed hash) of the contact address: rate limits per address without storing it. */
  address_hash: string | null;
  /** subject or requests: which key seals `data`. */
  sealed_with: string;
  /** Sealed fields (email, details, corrections, answer); null once no longer needed. */
  data: string | null;
  /** gdpr or ccpa. */
  jurisdiction: string;
  received_at: string;
  /** The current deadline (moved once by an extension). */
  due_at: string;
  extended_at: string | null;
  verified_at: string | null;
  /** code, staff or none (opt-outs need no identity check). */
  verification: string | null;
  filed_by: string;
  closed_at: string | null;
  /** Non-personal: exported, corrected, erased, held, answered, opted-out, no-data, denied, expired. */
  outcome: string | null;
  reminded_at: string | null;
  /** When the completion was claimed (status completing). */
  claimed_at: string | null;
  /** The claimed completion's inputs and the requester's address, sealed under the `requests` key; null once the notice is queued. */
  completion: string | null;
}

/** A declared system's share of a request (access, erasure or correction there). */
export interface SystemTaskTable {
  id: string;
  request_id: string;
  system_id: string;
  /** access, erasure or correction. */
  action: string;
  /** pending, running, done, failed (retried with backoff) or waiting-for-staff. */
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  /** While running: when another process may take the task over. */
  lease_until: string | null;
  /** The last failure, on one line: a driver's message, never a value. */
  last_error: string | null;
  /** Sealed (requests key): the identity values to find the subject by, and corrected fields; captured before Vow's own erasure. */
  input: string;
  /** Sealed (requests key): what an access task gathered, until the export is built; cleared then. */
  result: string | null;
  done_by: string | null;
  done_reason: string | null;
  created_at: string;
  done_at: string | null;
}

/** The request log: what happened to each request, when and by whom; non-personal data, staff notes sealed like the request's data. */
export interface RequestEventTable {
  id: string;
  request_id: string;
  /** 1, 2, … within the request: the order of its steps, which may share a timestamp. */
  seq: number;
  at: string;
  type: string;
  actor: string;
  data: string;
  note: string | null;
}

/** The live verification code of a request, as a keyed hash. */
export interface RequestCodeTable {
  request_id: string;
  code_hash: string;
  expires_at: string;
  attempts: number;
  sends: number;
  sent_at: string;
  used_at: string | null;
}

/** An access request's export, sealed under the subject's key, downloadable once by the subject through a token (hashed). */
export interface RequestExportTable {
  request_id: string;
  subject_id: string;
  data: string;
  files: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** A message to send by e-mail; address, subject line and text sealed under the `outbox` vault key. */
export interface OutboxMessageTable {
  id: string;
  kind: string;
  subject_id: string | null;
  data: string;
  /** pending, sent or failed. */
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

/** A subject's choice about the sale or sharing of its personal information (CCPA). */
export interface SaleOptOutTable {
  subject_id: string;
  opted_out: number;
  /** request, under-16, opt-in or signal. */
  reason: string;
  actor: string;
  updated_at: string;
}

/**
 * One international transfer of one subject's data, recorded when the data crossed: at
 * collection (basis `collection`, once per subject and route) or in a disclosure (basis:
 * the disclosure id). Countries are ISO 3166-1 alpha-2 codes.
 */
export interface SubjectTransferTable {
  subject_id: string;
  from_country: string;
  to_country: string;
  /** The declared safeguard covering the route (standard-contractual-clauses, …). */
  safeguard: string;
  /** `collection`, or the id of the disclosure that carried the data. */
  basis: string;
  first_at: string;
}

/** Which of a subject's fields other users may see: field names only, never their values. */
export interface SubjectVisibilityTable {
  subject_id: string;
  /** JSON array of `category.field` names. */
  fields: string;
  updated_at: string;
}

/** The proof that a subject was erased: when, why, how many rows per table; no personal data. */
export interface ErasureTable {
  id: string;
  /** The pseudonymous id of the erased subject, so that a restored backup can erase it again. */
  subject_id: string;
  erased_at: string;
  /** request, child or admin. */
  reason: string;
  request_id: string | null;
  actor: string;
  /** 0 when a legal hold kept everything. */
  erased: number;
  /** JSON object: table → rows deleted. */
  counts: string;
  /** JSON array of the categories a legal hold kept (["*"] for everything). */
  held_categories: string;
  /** JSON array of the disclosure ids that included the subject: the accounting kept as proof of lawful disclosure. */
  disclosures: string;
}

/** A legal hold: keeps a subject's data (all, or some categories) from erasure and retention purges. */
export interface LegalHoldTable {
  id: string;
  subject_id: string;
  /** The reason, sealed under the `legal-holds` vault key (it may name people). */
  reason: string;
  /** SHA-256 of the reason, for the audit record. */
  reason_hash: string;
  /** JSON array of category ids; null holds everything. */
  categories: string | null;
  /** staff or legal-request. */
  source: string;
  disclosure_id: string | null;
  created_at: string;
  created_by: string;
  released_at: string | null;
  released_by: string | null;
}

/** A declared recipient's endpoint for signed notices; the signing secret sealed under the `webhooks` vault key. */
export interface WebhookEndpointTable {
  id: string;
  recipient: string;
  url: string;
  secret: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

/** One notice to one endpoint, retried until a 2xx acknowledges it; the body holds no personal data. */
export interface WebhookDeliveryTable {
  id: string;
  endpoint_id: string;
  recipient: string;
  subject_id: string;
  /** erasure or correction. */
  event: string;
  body: string;
  /** pending, delivered or cancelled (the endpoint was removed). */
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** Every delivery attempt: its time, the status code or the error, and when the next one is due. */
export interface WebhookAttemptTable {
  id: string;
  delivery_id: string;
  at: string;
  status_code: number | null;
  error: string | null;
  next_attempt_at: string | null;
}

/**
 * Opt-outs of sale and sharing filed for an address we did not know (CCPA: honored before
 * an account exists); claimed by the account that later signs up with it.
 */
export interface SaleOptOutAddressTable {
  /** The blind index of the e-mail address. */
  address_hash: string;
  opted_out_at: string;
}

/**
 * Consent to a purpose whose legal basis is consent (GDPR art. 6(1)(a), 7): one row per
 * purpose and decision, appended, never updated; the latest row per purpose is in force.
 */
export interface PurposeConsentTable {
  id: string;
  subject_id: string;
  purpose: string;
  /** 1 granted, 0 withdrawn. */
  granted: number;
  /** How it was given: `form` (the SDK's preference form), `api`, or `staff` (with a channel). */
  source: 'form' | 'api' | 'staff';
  /** Staff only: how the person told them (`phone`, `email`, `paper`, `in-person`). */
  channel: string | null;
  actor: string;
  policy_version: number;
  /** SHA-256 of the texts shown (`PurposeConsentForm.textHash`): what was agreed to is part of the proof. */
  text_hash: string;
  recorded_at: string;
  /** SHA-256 over the canonical record. */
  proof: string;
}

/**
 * A recipient that received a subject's data but registered no webhook must still be told
 * of its erasure or correction (GDPR art. 19): staff do it, and close the task.
 */
export interface RecipientTaskTable {
  id: string;
  recipient: string;
  /** The pseudonymous id only: the task outlives the subject's erasure. */
  subject_id: string;
  event: 'erasure' | 'correction';
  /** JSON: the disclosures that carried the data, and for a correction the field names (never values). */
  details: string;
  status: 'open' | 'done';
  created_at: string;
  done_at: string | null;
  done_by: string | null;
  /** The request whose erasure or correction it passes on: the request waits for it. */
  request_id: string | null;
  /** What staff said they did, for a request's task. */
  done_reason: string | null;
}

export interface Database {
  recipient_tasks: RecipientTaskTable;
  breaches: BreachTable;
  staff_accounts: StaffAccountTable;
  site_scans: SiteScanTable;
  staff_sessions: StaffSessionTable;
  breach_subjects: BreachSubjectTable;
  system_tasks: SystemTaskTable;
  purpose_consents: PurposeConsentTable;
  sale_opt_out_addresses: SaleOptOutAddressTable;
  subject_transfers: SubjectTransferTable;
  subject_visibility: SubjectVisibilityTable;
  subject_links: SubjectLinkTable;
  disclosures: DisclosureTable;
  disclosure_subjects: DisclosureSubjectTable;
  consent_records: ConsentRecordTable;
  events: EventTable;
  policy_versions: PolicyVersionTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  vault_keys: VaultKeyTable;
  subjects: SubjectTable;
  subject_keys: SubjectKeyTable;
  subject_identifiers: SubjectIdentifierTable;
  vault_records: VaultRecordTable;
  social_aggregates: SocialAggregateTable;
  api_keys: ApiKeyTable;
  job_schedule: JobScheduleTable;
  stats_budgets: StatsBudgetTable;
  stats_releases: StatsReleaseTable;
  requests: RequestTable;
  request_events: RequestEventTable;
  request_codes: RequestCodeTable;
  request_exports: RequestExportTable;
  outbox_messages: OutboxMessageTable;
  sale_opt_outs: SaleOptOutTable;
  child_reports: ChildReportTable;
  policy_notices: PolicyNoticeTable;
  policy_acceptances: PolicyAcceptanceTable;
  erasures: ErasureTable;
  legal_holds: LegalHoldTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
}

export type PolicyVersionRow = Selectable<PolicyVersionTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type NewAuditLogRow = Insertable<AuditLogTable>;
export type { Generated };

/** A personal data breach in the register (GDPR art. 33(5)). */
export interface BreachTable {
  id: string;
  /** open or closed. */
  status: string;
  /** low or high: whether the people affected must be told (art. 34). */
  risk: string;
  began_at: string;
  discovered_at: string;
  /** JSON array of the declared data categories affected. */
  categories: string;
  subject_count: number;
  /** Sealed (breaches key): the title, what happened, the likely consequences, the measures taken. */
  details: string;
  authority_notified_at: string | null;
  /** The authority's reference for the notification, when it gave one. */
  authority_reference: string | null;
  subjects_notified_at: string | null;
  recorded_by: string;
  recorded_at: string;
  closed_at: string | null;
}

/** Who a breach affected, by pseudonymous id: kept after their erasure, as the register must be. */
export interface BreachSubjectTable {
  breach_id: string;
  subject_id: string;
  added_at: string;
}

/** A person of the staff who signs in to the console. */
export interface StaffAccountTable {
  id: string;
  /** Keyed hash of the lower-cased e-mail: found by it, never stored in the clear. */
  email_index: string;
  /** Sealed under the `staff` vault key. */
  email: string;
  /** Argon2id, in its PHC string form. */
  password_hash: string;
  role: string;
  /** JSON array of purpose ids, as an API key's. */
  purposes: string;
  created_at: string;
  disabled_at: string | null;
  /** The TOTP secret, sealed under the `staff` vault key; null without a second factor. */
  totp_secret: string | null;
  /** When a code from the secret was first given: only then is the second factor asked for. */
  totp_confirmed_at: string | null;
  /** The last TOTP time step accepted: a code is good once. */
  totp_last_step: number | null;
  /** Wrong codes since the last right one (after a right password). */
  totp_failures: Generated<number>;
  /** Until when codes are refused after too many wrong ones. */
  totp_locked_until: string | null;
}

/** A signed-in session: the cookie's token and the CSRF token kept only as hashes. */
export interface StaffSessionTable {
  id: string;
  token_hash: string;
  csrf_hash: string;
  account_id: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  revoked_at: string | null;
}

/** A `vow scan` of the live site: its findings, for the console. */
export interface SiteScanTable {
  id: string;
  /** The start page's origin. */
  site: string;
  scanned_at: string;
  pages: number;
  /** 1 when the scan failed on its drift. */
  failed: number;
  /** JSON array of the findings (`Drift`). */
  drift: string;
  /** The published version the site was held against, when a store was there to say. */
  policy_version: number | null;
}
