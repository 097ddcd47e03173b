/**
 * The outbox: every e-mail Vow sends (verification codes, acknowledgements, notices)
 * is first stored here, sealed, in the transaction that decided to send it. Delivery
 * comes later (`deliver-outbox.ts`, over SMTP when configured); without SMTP the
 * operator reads the messages with `vow outbox` and sends them by hand. A message to a
 * person ends with the declaration's warning about e-mail, added here for every sender.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Database } from '../store/schema.js';
import { decryptFields, encryptFields } from '../vault/field-cipher.js';
import type { VaultContext } from '../vault/vault-context.js';
import { endWithEmailWarning } from './email-warning-footer.js';
import { loadOutboxKey } from './outbox-key.js';
import { insertMessage, listMessages, type OutboxRow } from './outbox.repository.js';

export const messageKinds = [
  'verification-code',
  'acknowledgement',
  'extension',
  'completion',
  'reminder',
  'policy-change',
  'child-report',
  'breach-notice',
  'other',
] as const;
export type MessageKind = (typeof messageKinds)[number];

/**
 * Whom each kind of message is written to: a person (a requester, a reporter, an account
 * holder), whose mail ends with the declaration's warning about e-mail, or the
 * organisation's own staff (reminders of due requests), whose mail does not. A new kind
 * must say which, or this does not compile.
 */
const audienceOf: Record<MessageKind, 'person' | 'organization'> = {
  'verification-code': 'person',
  acknowledgement: 'person',
  extension: 'person',
  completion: 'person',
  'breach-notice': 'person',
  reminder: 'organization',
  'policy-change': 'person',
  'child-report': 'person',
  other: 'person',
};

export interface OutgoingMessage {
  to: string;
  subject: string;
  text: string;
  kind: MessageKind;
  /** The subject the message is about: its pending messages go when it is erased. */
  subjectId?: string;
}

export interface OutboxMessage extends OutgoingMessage {
  id: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string;
  lastError: string | null;
}

export const newMessageId = (): string => `msg_${randomBytes(16).toString('base64url')}`;

/**
 * Stores a message, sealed, for delivery; `db` may be the caller's transaction so the
 * message commits with the change it reports. Returns the message id.
 *
 *   await enqueueMessage(ctx, trx, { to, subject: 'Your code', text, kind: 'verification-code' })
 */
export async function enqueueMessage(ctx: VaultContext, db: Kysely<Database>, message: OutgoingMessage, now: Date = new Date()): Promise<string> {
  const key = await loadOutboxKey(db, ctx.keyring);
  const id = newMessageId();
  const at = now.toISOString();
  await insertMessage(db, {
    id,
    kind: message.kind,
    subject_id: message.subjectId ?? null,
    data: encryptFields(key, id, { to: message.to, subject: message.subject, text: composedText(ctx, message) }),
    status: 'pending',
    attempts: 0,
    next_attempt_at: at,
    last_error: null,
    created_at: at,
    sent_at: null,
  });
  await appendAudit(db, { actor: 'system', action: 'outbox.enqueued', target: `message:${id}`, data: { kind: message.kind, subject: message.subjectId ?? null } }, now);
  return id;
}

/** The text as sent: composed here, once, so that no sender can forget the warning. */
function composedText(ctx: VaultContext, message: OutgoingMessage): string {
  return audienceOf[message.kind] === 'person' ? endWithEmailWarning(message.text, ctx.declaration.security.emailWarning) : message.text;
}

/** The newest messages, decrypted, for the operator. */
export async function readOutbox(ctx: VaultContext, options: { status?: 'pending' | 'sent' | 'failed'; limit?: number } = {}): Promise<OutboxMessage[]> {
  const key = await loadOutboxKey(ctx.db, ctx.keyring);
  const rows = await listMessages(ctx.db, { ...(options.status ? { status: options.status } : {}), limit: options.limit ?? 100 });
  return rows.map((row) => openMessage(key, row));
}

export function openMessage(key: Buffer, row: OutboxRow): OutboxMessage {
  const fields = decryptFields(key, row.id, row.data);
  return {
    id: row.id,
    to: fields.to ?? '',
    subject: fields.subject ?? '',
    text: fields.text ?? '',
    kind: row.kind as MessageKind,
    ...(row.subject_id ? { subjectId: row.subject_id } : {}),
    status: row.status as OutboxMessage['status'],
    attempts: row.attempts,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
  };
}
