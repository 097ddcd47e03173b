/**
 * Identity verification by a one-time code e-mailed to the address given: random, kept
 * only as a keyed hash bound to its request, single use, expiring, at most five
 * attempts, compared in constant time; sends and wrong guesses are limited per request
 * and per address.
 */
import { linkVerifiedContact } from '../vault/link-contact.js';
import type { Kysely } from 'kysely';
import { VowError } from '../errors.js';
import { enqueueMessage } from '../outbox/outbox.js';
import type { Database } from '../store/schema.js';
import type { VaultContext } from '../vault/vault-context.js';
import { readRequestData } from './request-data.js';
import { hashSecret, loadRequestKeys, newVerificationCode, secretMatches, type RequestKeys } from './request-keys.js';
import { logRequestEvent } from './request-log.js';
import { aboutSubject, verificationMessage } from './request-messages.js';
import type { RequestKind } from './request.js';
import { claimAttempt, countAttemptsOfAddress, findCode, findRequest, markCodeUsed, saveCode, updateRequest } from './request.repository.js';

export const MAX_ATTEMPTS = 5;
export const MAX_SENDS = 3;
/** Wrong codes one address may try per day, over all its requests. */
export const MAX_ATTEMPTS_PER_ADDRESS_PER_DAY = 15;
export const DEFAULT_VERIFICATION_HOURS = 24;

const DAY_MS = 24 * 60 * 60 * 1000;

export function verificationHours(ctx: VaultContext): number {
  return ctx.declaration.requests?.verificationHours ?? DEFAULT_VERIFICATION_HOURS;
}

/** Issues a fresh code (the previous one dies) and queues it for the address, in the caller's transaction. */
export async function issueCode(
  ctx: VaultContext,
  trx: Kysely<Database>,
  keys: RequestKeys,
  options: { requestId: string; kind: RequestKind; email: string; now: Date; subjectId?: string },
): Promise<void> {
  const previous = await findCode(trx, options.requestId);
  const sends = (previous?.sends ?? 0) + 1;
  if (sends > MAX_SENDS) throw new VowError('rate_limited', `no more than ${MAX_SENDS} codes are sent for one request`);
  const code = newVerificationCode();
  const hours = verificationHours(ctx);
  await saveCode(trx, {
    request_id: options.requestId,
    code_hash: hashSecret(keys.hashing, options.requestId, code),
    expires_at: new Date(options.now.getTime() + hours * 60 * 60 * 1000).toISOString(),
    attempts: 0,
    sends,
    sent_at: options.now.toISOString(),
    used_at: null,
  });
  await enqueueMessage(ctx, trx, { ...verificationMessage(ctx.declaration, { requestId: options.requestId, kind: options.kind, code, hours }), to: options.email, ...aboutSubject(options.subjectId) }, options.now);
  await logRequestEvent(trx, { requestId: options.requestId, type: 'code-sent', actor: 'system', data: { sends } }, options.now);
}

/** Sends a new code for a request still awaiting verification. */
export async function resendCode(ctx: VaultContext, options: { requestId: string; now?: Date }): Promise<void> {
  const now = options.now ?? new Date();
  const keys = await loadRequestKeys(ctx.db, ctx.keyring);
  const row = await findRequest(ctx.db, options.requestId);
  if (!row) throw new VowError('not_found', `no request ${options.requestId}`);
  if (row.status !== 'unverified') throw new VowError('conflict', 'this request is not awaiting verification');
  const { email } = await readRequestData(ctx, ctx.db, keys, row);
  if (email === undefined) throw new VowError('conflict', 'this request has no address to send a code to');
  await ctx.db.transaction().execute((trx) => issueCode(ctx, trx, keys, { requestId: row.id, kind: row.kind as RequestKind, email, now, ...aboutSubject(row.subject_id) }));
}

/**
 * Checks a code. A right one verifies the request (it opens for staff); a wrong one
 * counts against the request's and the address's attempts.
 */
export async function verifyRequest(ctx: VaultContext, options: { requestId: string; code: string; now?: Date }): Promise<{ id: string; status: 'open' }> {
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const keys = await loadRequestKeys(ctx.db, ctx.keyring);
  const row = await findRequest(ctx.db, options.requestId);
  if (!row) throw new VowError('not_found', `no request ${options.requestId}`);
  if (row.status !== 'unverified' && row.status !== 'expired') throw new VowError('conflict', 'this request is already verified');
  if (row.status === 'expired') throw new VowError('expired', 'this request expired unverified; file it again');
  const code = await findCode(ctx.db, row.id);
  if (!code || code.used_at !== null) throw new VowError('conflict', 'no code is waiting for this request');
  if (code.expires_at <= at) throw new VowError('expired', 'the code has expired; ask for a new one');
  if (row.address_hash !== null) {
    const attempts = await countAttemptsOfAddress(ctx.db, row.address_hash, new Date(now.getTime() - DAY_MS).toISOString());
    if (attempts >= MAX_ATTEMPTS_PER_ADDRESS_PER_DAY) throw new VowError('rate_limited', 'too many wrong codes for this address today; try again tomorrow');
  }
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await claimAttempt(trx, row.id, MAX_ATTEMPTS))) {
      throw new VowError('rate_limited', `${MAX_ATTEMPTS} wrong codes were tried; ask for a new code`);
    }
    if (!secretMatches(keys.hashing, row.id, options.code, code.code_hash)) {
      await logRequestEvent(trx, { requestId: row.id, type: 'code-rejected', actor: 'public', data: { attempt: code.attempts + 1 } }, now);
      // The attempt and its log entry must commit although the answer is an error.
      return { id: row.id, status: 'rejected' as const, attemptsLeft: MAX_ATTEMPTS - code.attempts - 1 };
    }
    await markCodeUsed(trx, row.id, at);
    if (!(await updateRequest(trx, row.id, ['unverified'], { status: 'open', verified_at: at, verification: 'code' }))) {
      throw new VowError('conflict', 'this request is no longer awaiting verification');
    }
    await logRequestEvent(trx, { requestId: row.id, type: 'verified', actor: 'public', data: { method: 'code' } }, now);
    await linkVerifiedContact(trx, { subjectId: row.subject_id, addressIndex: row.address_hash, actor: 'public', now });
    return { id: row.id, status: 'open' as const };
  }).then((result) => {
    if (result.status === 'rejected') {
      throw new VowError('bad_request', `the code does not match; ${Math.max(result.attemptsLeft, 0)} attempts left`, [{ path: 'code', message: 'does not match' }]);
    }
    return { id: result.id, status: result.status };
  });
}
