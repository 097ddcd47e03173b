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

/** One row: the newest sequence number and hash, so that truncating the log's tail is detected. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
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
}

/** Technical information from the SDK or the server: dimensions in the clear, the rest sealed under the subject's key. */
export interface EventTable {
  id: string;
  subject_id: string;
  /** The declared data category (usage-data, log-data, device-information, analytics). */
  category: string;
  /** page_view, action, feature, request … */
  name: string;
  occurred_at: string;
  received_at: string;
  /** ISO 3166-1 alpha-2, or null. */
  country: string | null;
  /** Encrypted JSON (path, features, device, truncated address, …). */
  data: string;
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
  /** Non-personal JSON details (for a legal request: authority, legal process, scope). */
  details: string;
  actor: string;
  created_at: string;
  subject_count: number;
  /** SHA-256 of the package's manifest, which lists the hash of every line. */
  manifest_hash: string;
}

/** The accounting of disclosures: one row per subject per disclosure ("who received what, when, why"). */
export interface DisclosureSubjectTable {
  disclosure_id: string;
  subject_id: string;
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

export interface Database {
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
}

export type PolicyVersionRow = Selectable<PolicyVersionTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type NewAuditLogRow = Insertable<AuditLogTable>;
export type { Generated };
