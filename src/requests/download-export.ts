/**
 * Hands out an access export: to the requester once, through the link token mailed to
 * them (hashed at rest, compared in constant time, expiring); to staff while it is kept.
 */
import { VowError } from '../errors.js';
import { open } from '../vault/aes-gcm.js';
import { openSubject } from '../vault/subject-store.js';
import type { VaultContext } from '../vault/vault-context.js';
import { loadRequestKeys, secretMatches } from './request-keys.js';
import { logRequestEvent } from './request-log.js';
import { findExport, useExportToken } from './request.repository.js';

export async function downloadExport(
  ctx: VaultContext,
  options: { requestId: string; actor: string; token?: string; now?: Date },
): Promise<{ zip: Buffer; fileName: string }> {
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const keys = await loadRequestKeys(ctx.db, ctx.keyring);
  const stored = await findExport(ctx.db, options.requestId);
  // A wrong token and no export read the same, so tokens cannot be probed.
  if (!stored || (options.token !== undefined && !secretMatches(keys.hashing, options.requestId, options.token, stored.token_hash))) {
    throw new VowError('not_found', 'no export for this link');
  }
  if (stored.expires_at <= at) throw new VowError('expired', 'this download link has expired; ask us again');
  const subject = await openSubject(ctx, ctx.db, stored.subject_id);
  if (!subject) throw new VowError('not_found', 'no export for this link');
  await ctx.db.transaction().execute(async (trx) => {
    if (options.token !== undefined && !(await useExportToken(trx, options.requestId, at))) {
      throw new VowError('expired', 'this download link was already used; ask us again');
    }
    await logRequestEvent(trx, { requestId: options.requestId, type: 'export-downloaded', actor: options.actor, data: { by: options.token === undefined ? 'staff' : 'requester' } }, now);
  });
  return { zip: open(subject.dataKey, stored.data, `request-export\0${options.requestId}`), fileName: `${options.requestId}-export.zip` };
}
