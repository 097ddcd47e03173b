/** A request as a staff verb needs it: its row, its sealed data opened, the keys. */
import { VowError } from '../errors.js';
import type { VaultContext } from '../vault/vault-context.js';
import { contactOf, readRequestData, sealingKeyOf } from './request-data.js';
import { loadRequestKeys, type RequestKeys } from './request-keys.js';
import { isClosed, type RequestData, type RequestRow, type RequestStatus } from './request.js';
import { findRequest } from './request.repository.js';

export interface LoadedRequest {
  row: RequestRow;
  data: RequestData;
  contact: string | undefined;
  keys: RequestKeys;
  /** Seals staff notes like the request's data: with the subject's key, so an erasure takes them too; undefined once erased. */
  noteKey: Buffer | undefined;
}

/** Throws not_found for an unknown id, conflict when the request is not in one of `allowed`. */
export async function loadRequest(ctx: VaultContext, requestId: string, allowed: readonly RequestStatus[]): Promise<LoadedRequest> {
  const keys = await loadRequestKeys(ctx.db, ctx.keyring);
  const row = await findRequest(ctx.db, requestId);
  if (!row) throw new VowError('not_found', `no request ${requestId}`);
  if (!(allowed as readonly string[]).includes(row.status)) {
    const why = isClosed(row.status)
      ? `request ${requestId} is already ${row.status}`
      : row.status === 'unverified'
        ? `the requester's identity is not verified yet (request ${requestId} is unverified)`
        : row.status === 'completing'
          ? `request ${requestId} is being completed; it finishes on its own, even if a server stops`
          : row.status === 'waiting'
            ? `request ${requestId} waits on the company's systems (see its tasks); it completes when they are done`
            : `request ${requestId} is ${row.status}`;
    throw new VowError('conflict', why);
  }
  const data = await readRequestData(ctx, ctx.db, keys, row);
  return { row, data, keys, contact: await contactOf(ctx, data, row), noteKey: await sealingKeyOf(ctx, ctx.db, keys, row) };
}
