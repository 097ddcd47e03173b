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

export interface Database {
  policy_versions: PolicyVersionTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
}

export type PolicyVersionRow = Selectable<PolicyVersionTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type NewAuditLogRow = Insertable<AuditLogTable>;
export type { Generated };
