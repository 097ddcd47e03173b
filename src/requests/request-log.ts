/**
 * The request log: every step of every request (received, code sent, verified,
 * extended, completed, denied, expired), kept for at least 24 months as the record that
 * requests were answered on time. Rows hold only pseudonymous ids and non-personal
 * details; staff notes (reasons, how identity was checked) are sealed like the request's
 * data, under the subject's key when it is known, so that an erasure takes them too.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Database } from '../store/schema.js';
import { sealNote } from './request-keys.js';
import { insertEvent } from './request.repository.js';

export interface RequestEventEntry {
  requestId: string;
  type: string;
  actor: string;
  /** Non-personal details. */
  data?: Record<string, string | number | boolean | null>;
  /** Free text from staff (a reason), sealed. */
  note?: { key: Buffer; text: string };
}

/** Appends to the request log and to the audit chain, in the caller's transaction. */
export async function logRequestEvent(trx: Kysely<Database>, entry: RequestEventEntry, now: Date): Promise<void> {
  const data = entry.data ?? {};
  await insertEvent(trx, {
    id: `rqe_${randomBytes(16).toString('base64url')}`,
    request_id: entry.requestId,
    at: now.toISOString(),
    type: entry.type,
    actor: entry.actor,
    data: JSON.stringify(data),
    note: entry.note ? sealNote(entry.note.key, entry.requestId, entry.note.text) : null,
  });
  await appendAudit(trx, { actor: entry.actor, action: `request.${entry.type}`, target: `request:${entry.requestId}`, data }, now);
}
