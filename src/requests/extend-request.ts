/**
 * Extends a request's deadline once, with a reason sent to the requester: only inside
 * the first period (the law requires telling the requester before it ends), to receipt
 * + 3 months (GDPR) or + 90 days (CCPA).
 */
import { VowError } from '../errors.js';
import { enqueueMessage } from '../outbox/outbox.js';
import type { VaultContext } from '../vault/vault-context.js';
import { deadlinesOf, type Jurisdiction } from './deadlines.js';
import { loadRequest } from './load-request.js';
import { logRequestEvent } from './request-log.js';
import { aboutSubject, extensionMessage } from './request-messages.js';
import type { RequestKind } from './request.js';
import { extendDeadline } from './request.repository.js';

export async function extendRequest(
  ctx: VaultContext,
  options: { requestId: string; actor: string; reason: string; now?: Date },
): Promise<{ id: string; dueAt: string; notified: boolean }> {
  const now = options.now ?? new Date();
  const reason = options.reason.trim();
  if (reason === '') throw new VowError('bad_request', 'an extension needs a reason', [{ path: 'reason', message: 'must not be empty' }]);
  const { row, noteKey, contact } = await loadRequest(ctx, options.requestId, ['unverified', 'open']);
  if (row.extended_at !== null) throw new VowError('conflict', `request ${row.id} was already extended on ${row.extended_at.slice(0, 10)}`);
  if (now.toISOString() >= row.due_at) {
    throw new VowError('conflict', `the first period of request ${row.id} ended on ${row.due_at.slice(0, 10)}; an extension must be sent before then`);
  }
  const dueAt = deadlinesOf(row.jurisdiction as Jurisdiction, new Date(row.received_at)).extended.toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await extendDeadline(trx, row.id, dueAt, now.toISOString()))) throw new VowError('conflict', `request ${row.id} was changed meanwhile`);
    await logRequestEvent(trx, { requestId: row.id, type: 'extended', actor: options.actor, data: { dueAt }, ...(noteKey ? { note: { key: noteKey, text: reason } } : {}) }, now);
    if (contact !== undefined) {
      await enqueueMessage(ctx, trx, { ...extensionMessage(ctx.declaration, { requestId: row.id, kind: row.kind as RequestKind, dueAt, reason }), to: contact, ...aboutSubject(row.subject_id) }, now);
    }
  });
  return { id: row.id, dueAt, notified: contact !== undefined };
}
