/**
 * An audit record and how its hash is made. Each record's hash covers its own fields
 * and the previous record's hash, so editing, deleting, inserting or reordering rows
 * breaks the chain. Records name targets by pseudonymous id and never hold personal
 * data, so an erasure never has to touch the log and the chain keeps verifying.
 */
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import { escapeUnstorable } from '../unicode-text.js';

/** Who acted: `system`, `cli`, or later `key:<id>` for an API key. */
export type Actor = string;

export interface AuditEntry {
  actor: Actor;
  /** Dotted verb, e.g. `policy.published`. */
  action: string;
  /** Pseudonymous id of what was acted on, e.g. `policy:v3`. */
  target: string;
  /** Non-personal details. */
  data?: Record<string, string | number | boolean | null>;
}

export interface AuditRecord {
  seq: number;
  at: string;
  actor: Actor;
  action: string;
  target: string;
  data: string;
  prevHash: string;
  hash: string;
}

/**
 * The one encoding of an audited text: a NUL or a lone surrogate, which the databases
 * store differently, is written as its escape (`\u0000`, `\ud800`), so the row stored is
 * the row hashed, on every database. `data` needs no such step: JSON already escapes both.
 */
export function auditText(value: string): string {
  return escapeUnstorable(value);
}

export function hashAuditRecord(record: Omit<AuditRecord, 'hash'>): string {
  return sha256Hex(
    canonicalJson({
      seq: record.seq,
      at: record.at,
      actor: record.actor,
      action: record.action,
      target: record.target,
      data: record.data,
      prevHash: record.prevHash,
    }),
  );
}
