/** Staff confirm a requester's identity by other means (at the desk, by a signed letter) and open the request. */
import { VowError } from '../errors.js';
import type { VaultContext } from '../vault/vault-context.js';
import { loadRequest } from './load-request.js';
import { logRequestEvent } from './request-log.js';
import { updateRequest } from './request.repository.js';

export async function approveRequest(ctx: VaultContext, options: { requestId: string; actor: string; verification: string; now?: Date }): Promise<{ id: string; status: 'open' }> {
  const now = options.now ?? new Date();
  if (options.verification.trim() === '') throw new VowError('bad_request', 'say how the identity was checked', [{ path: 'verification', message: 'must not be empty' }]);
  const { row, noteKey } = await loadRequest(ctx, options.requestId, ['unverified']);
  await ctx.db.transaction().execute(async (trx) => {
    const at = now.toISOString();
    if (!(await updateRequest(trx, row.id, ['unverified'], { status: 'open', verified_at: at, verification: 'staff' }))) {
      throw new VowError('conflict', `request ${row.id} is no longer unverified`);
    }
    await logRequestEvent(trx, { requestId: row.id, type: 'verified', actor: options.actor, data: { method: 'staff' }, ...(noteKey ? { note: { key: noteKey, text: options.verification } } : {}) }, now);
  });
  return { id: row.id, status: 'open' };
}
