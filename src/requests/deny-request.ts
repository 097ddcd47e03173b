/** Staff refuse a request, with the reason the requester is sent. */
import { VowError } from '../errors.js';
import { enqueueMessage } from '../outbox/outbox.js';
import type { VaultContext } from '../vault/vault-context.js';
import { loadRequest } from './load-request.js';
import { logRequestEvent } from './request-log.js';
import { aboutSubject, denialMessage } from './request-messages.js';
import type { RequestKind } from './request.js';
import { updateRequest } from './request.repository.js';

export async function denyRequest(ctx: VaultContext, options: { requestId: string; actor: string; reason: string; now?: Date }): Promise<{ id: string; status: 'denied'; notified: boolean }> {
  const now = options.now ?? new Date();
  const reason = options.reason.trim();
  if (reason === '') throw new VowError('bad_request', 'a denial needs a reason', [{ path: 'reason', message: 'must not be empty' }]);
  const { row, noteKey, contact } = await loadRequest(ctx, options.requestId, ['unverified', 'open']);
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await updateRequest(trx, row.id, ['unverified', 'open'], { status: 'denied', outcome: 'denied', closed_at: now.toISOString() }))) {
      throw new VowError('conflict', `request ${row.id} was closed meanwhile`);
    }
    await logRequestEvent(trx, { requestId: row.id, type: 'denied', actor: options.actor, data: { outcome: 'denied' }, ...(noteKey ? { note: { key: noteKey, text: reason } } : {}) }, now);
    if (contact !== undefined) {
      await enqueueMessage(ctx, trx, { ...denialMessage(ctx.declaration, { requestId: row.id, kind: row.kind as RequestKind, reason }), to: contact, ...aboutSubject(row.subject_id) }, now);
    }
  });
  return { id: row.id, status: 'denied', notified: contact !== undefined };
}
