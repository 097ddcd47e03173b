/**
 * Staff accounts and their sessions, for the console: an e-mail and a password hashed
 * with Argon2id (`@node-rs/argon2`), a role as API keys have. Signing in opens a session
 * whose token goes only into an HttpOnly cookie and whose CSRF token the console sends
 * back on every change; both are stored only as hashes. Sessions end after 12 hours, or
 * 1 hour unused, and can be signed out or revoked. An account may add a TOTP second
 * factor (`second-factor.ts`), asked for at every sign-in once confirmed. Each step is in
 * the audit chain.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import { VowError } from '../errors.js';
import type { Database } from '../store/schema.js';
import { open, seal } from '../vault/aes-gcm.js';
import type { Keyring } from '../vault/keyring.js';
import { loadOrCreateVaultKey } from '../vault/vault-keys.js';
import type { Actor } from './actor.js';
import { isRole, type Role } from './role.js';
import { acceptedStep, newTotpSecret, totpUri } from './second-factor.js';

export const SESSION_HOURS = 12;
export const IDLE_MINUTES = 60;
export const MIN_PASSWORD_LENGTH = 12;

export interface StaffAccount {
  id: string;
  email: string;
  role: Role;
  purposes: string[];
  createdAt: string;
}

export interface OpenedSession {
  /** For the HttpOnly cookie only; never shown to a script. */
  token: string;
  /** For the console to send back in `X-Vow-CSRF` on every change. */
  csrfToken: string;
  sessionId: string;
  expiresAt: string;
  account: StaffAccount;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const staffKey = (db: Kysely<Database>, keyring: Keyring) => loadOrCreateVaultKey(db, keyring, 'staff', () => randomBytes(32));
const emailData = (accountId: string) => `staff-email\0${accountId}`;
const openEmail = (key: Buffer, accountId: string, sealed: string) => open(key, sealed, emailData(accountId)).toString('utf8');
const emailIndexOf = (key: Buffer, email: string) => createHmac('sha256', key).update(`staff-email\0${email.trim().toLowerCase()}`).digest('hex');
/**
 * The session's CSRF token, derived from its cookie token: the server can give it again to
 * the console's own page (`GET /v1/session`, which no other origin may read) after a reload
 * or in a new tab, while a forged cross-site request, which cannot read either, has neither.
 */
export const csrfTokenFor = (sessionToken: string) => createHmac('sha256', sessionToken).update('vow-csrf').digest('base64url');
/** Checked when an e-mail is unknown, so that an unknown one takes as long to refuse as a wrong password. */
const decoy = argon2Hash(randomBytes(16).toString('hex'));

export async function createStaffAccount(
  ctx: { db: Kysely<Database>; keyring: Keyring },
  options: { email: string; password: string; role: Role; purposes?: string[]; actor: string; now?: Date },
): Promise<StaffAccount> {
  if (options.password.length < MIN_PASSWORD_LENGTH) throw new VowError('bad_request', `a password has at least ${MIN_PASSWORD_LENGTH} characters`, [{ path: 'password', message: `must have at least ${MIN_PASSWORD_LENGTH} characters` }]);
  const now = options.now ?? new Date();
  const key = await staffKey(ctx.db, ctx.keyring);
  const email = options.email.trim().toLowerCase();
  const id = `stf_${randomBytes(16).toString('base64url')}`;
  const account = { id, email, role: options.role, purposes: options.purposes ?? [], createdAt: now.toISOString() };
  const passwordHash = await argon2Hash(options.password);
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('staff_accounts')
        .values({ id, email_index: emailIndexOf(key, email), email: seal(key, Buffer.from(email, 'utf8'), emailData(id)), password_hash: passwordHash, role: account.role, purposes: JSON.stringify(account.purposes), created_at: account.createdAt, disabled_at: null, totp_secret: null, totp_confirmed_at: null, totp_last_step: null, totp_locked_until: null })
        .execute();
      await appendAudit(trx, { actor: options.actor, action: 'staff.created', target: `staff:${id}`, data: { role: account.role } }, now);
    });
  } catch (error) {
    if (error instanceof Error && /unique|duplicate/i.test(error.message)) throw new VowError('conflict', 'a staff account with this e-mail address exists');
    throw error;
  }
  return account;
}

/**
 * Signs in with an e-mail and a password. A wrong password and an unknown address are
 * refused alike, in the same time; the attempt is audited either way, without the address.
 */
export async function signIn(ctx: { db: Kysely<Database>; keyring: Keyring }, options: { email: string; password: string; code?: string | undefined; now?: Date }): Promise<OpenedSession> {
  const now = options.now ?? new Date();
  const key = await staffKey(ctx.db, ctx.keyring);
  const row = await ctx.db.selectFrom('staff_accounts').selectAll().where('email_index', '=', emailIndexOf(key, options.email)).where('disabled_at', 'is', null).executeTakeFirst();
  const valid = row ? await argon2Verify(row.password_hash, options.password) : (await argon2Verify(await decoy, options.password), false);
  if (!row || !valid || !isRole(row.role)) {
    await appendAudit(ctx.db, { actor: 'public', action: 'staff.sign-in-failed', target: row ? `staff:${row.id}` : 'staff', data: {} }, now);
    throw new VowError('unauthorized', 'wrong e-mail address or password');
  }
  if (row.totp_confirmed_at !== null && row.totp_secret !== null) await checkSecondFactor(ctx.db, key, { ...row, totp_secret: row.totp_secret }, options.code, now);
  const token = randomBytes(32).toString('base64url');
  const csrfToken = csrfTokenFor(token);
  const sessionId = `ses_${randomBytes(16).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('staff_sessions')
      .values({ id: sessionId, token_hash: sha256(token), csrf_hash: sha256(csrfToken), account_id: row.id, created_at: now.toISOString(), expires_at: expiresAt, last_seen_at: now.toISOString(), revoked_at: null })
      .execute();
    await appendAudit(trx, { actor: `staff:${row.id}`, action: 'staff.signed-in', target: `session:${sessionId}`, data: {} }, now);
  });
  const email = openEmail(key, row.id, row.email);
  return { token, csrfToken, sessionId, expiresAt, account: { id: row.id, email, role: row.role, purposes: JSON.parse(row.purposes) as string[], createdAt: row.created_at } };
}

/** Wrong codes an account may give in a row before codes are refused for a while. */
export const MAX_CODE_FAILURES = 5;
export const CODE_LOCKOUT_MINUTES = 15;

/**
 * The second factor of a sign-in whose password was right. A wrong code counts against the
 * account wherever it comes from (the per-address limit alone would let many addresses
 * share the guessing); five in a row refuse codes for 15 minutes. A right code resets it.
 */
async function checkSecondFactor(
  db: Kysely<Database>,
  key: Buffer,
  row: { id: string; totp_secret: string; totp_last_step: number | null; totp_failures: number; totp_locked_until: string | null },
  code: string | undefined,
  now: Date,
): Promise<void> {
  if (row.totp_locked_until !== null && row.totp_locked_until > now.toISOString()) throw new VowError('rate_limited', 'too many wrong codes for this account: try again in a few minutes');
  if (code === undefined) throw new VowError('second_factor_required', 'this account has a second factor: give the code from its authenticator app');
  const step = acceptedStep(openTotpSecret(key, row.id, row.totp_secret), code, row.totp_last_step, now);
  // Moved on only if no other sign-in took this step first: each code opens one session.
  const taken =
    step === undefined
      ? undefined
      : await db.updateTable('staff_accounts').set({ totp_last_step: step, totp_failures: 0, totp_locked_until: null }).where('id', '=', row.id).where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)])).executeTakeFirst();
  if (taken?.numUpdatedRows === 1n) return;
  const failures = row.totp_failures + 1;
  const locked = failures >= MAX_CODE_FAILURES;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('staff_accounts')
      .set(locked ? { totp_failures: 0, totp_locked_until: new Date(now.getTime() + CODE_LOCKOUT_MINUTES * 60_000).toISOString() } : { totp_failures: failures })
      .where('id', '=', row.id)
      .execute();
    await appendAudit(trx, { actor: 'public', action: 'staff.sign-in-failed', target: `staff:${row.id}`, data: { factor: 'totp', ...(locked ? { locked: true } : {}) } }, now);
  });
  throw new VowError('unauthorized', 'wrong or already used code');
}

const totpData = (accountId: string) => `staff-totp\0${accountId}`;
const openTotpSecret = (key: Buffer, accountId: string, sealed: string) => open(key, sealed, totpData(accountId)).toString('utf8');

/**
 * Starts adding a TOTP second factor: a new secret, sealed, asked for at sign-in only once
 * a code from it was confirmed. Refused while a confirmed one is in place.
 */
export async function startTotp(ctx: { db: Kysely<Database>; keyring: Keyring }, options: { accountId: string; password: string }): Promise<{ secret: string; uri: string }> {
  const key = await staffKey(ctx.db, ctx.keyring);
  const row = await ctx.db.selectFrom('staff_accounts').select(['email', 'password_hash', 'totp_confirmed_at']).where('id', '=', options.accountId).executeTakeFirstOrThrow();
  // The password again: a session taken over (a laptop left open) cannot tie the account to another phone.
  if (!(await argon2Verify(row.password_hash, options.password))) throw new VowError('forbidden', 'the password is not this account’s');
  if (row.totp_confirmed_at !== null) throw new VowError('conflict', 'this account has a second factor already');
  const secret = newTotpSecret();
  await ctx.db.updateTable('staff_accounts').set({ totp_secret: seal(key, Buffer.from(secret, 'utf8'), totpData(options.accountId)), totp_last_step: null }).where('id', '=', options.accountId).execute();
  return { secret, uri: totpUri(secret, openEmail(key, options.accountId, row.email)) };
}

/** Confirms the second factor with a code from it: from now on, signing in asks for one, and every other session of the account ends. */
export async function confirmTotp(ctx: { db: Kysely<Database>; keyring: Keyring }, options: { accountId: string; sessionId: string; code: string; now?: Date }): Promise<void> {
  const now = options.now ?? new Date();
  const key = await staffKey(ctx.db, ctx.keyring);
  const row = await ctx.db.selectFrom('staff_accounts').select(['totp_secret', 'totp_confirmed_at', 'totp_last_step']).where('id', '=', options.accountId).executeTakeFirstOrThrow();
  if (row.totp_confirmed_at !== null) throw new VowError('conflict', 'this account has a second factor already');
  if (row.totp_secret === null) throw new VowError('conflict', 'start adding the second factor first');
  const step = acceptedStep(openTotpSecret(key, options.accountId, row.totp_secret), options.code, row.totp_last_step, now);
  if (step === undefined) throw new VowError('bad_request', 'the code is not the one the authenticator app shows now', [{ path: 'code', message: 'must be the current six-digit code' }]);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('staff_accounts').set({ totp_confirmed_at: now.toISOString(), totp_last_step: step, totp_failures: 0, totp_locked_until: null }).where('id', '=', options.accountId).execute();
    // Sessions opened with the password alone end: only this one, which just proved the code, stays.
    await trx.updateTable('staff_sessions').set({ revoked_at: now.toISOString() }).where('account_id', '=', options.accountId).where('id', '!=', options.sessionId).where('revoked_at', 'is', null).execute();
    await appendAudit(trx, { actor: `staff:${options.accountId}`, action: 'staff.second-factor-added', target: `staff:${options.accountId}`, data: { kind: 'totp' } }, now);
  });
}

/** Takes an account's second factor away (a lost phone) and ends its sessions, audited; its id. */
export async function removeSecondFactor(ctx: { db: Kysely<Database>; keyring: Keyring }, options: { email: string; actor: string; now?: Date }): Promise<string> {
  const now = options.now ?? new Date();
  const key = await staffKey(ctx.db, ctx.keyring);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('staff_accounts').select(['id', 'totp_confirmed_at']).where('email_index', '=', emailIndexOf(key, options.email)).executeTakeFirst();
    if (!row) throw new VowError('not_found', 'no staff account has this e-mail address');
    if (row.totp_confirmed_at === null) throw new VowError('conflict', 'this account has no second factor');
    await trx.updateTable('staff_accounts').set({ totp_secret: null, totp_confirmed_at: null, totp_last_step: null, totp_failures: 0, totp_locked_until: null }).where('id', '=', row.id).execute();
    await trx.updateTable('staff_sessions').set({ revoked_at: now.toISOString() }).where('account_id', '=', row.id).where('revoked_at', 'is', null).execute();
    await appendAudit(trx, { actor: options.actor, action: 'staff.second-factor-removed', target: `staff:${row.id}`, data: {} }, now);
    return row.id;
  });
}

/** Whether an account asks for a second factor at sign-in. */
export async function hasSecondFactor(db: Kysely<Database>, accountId: string): Promise<boolean> {
  const row = await db.selectFrom('staff_accounts').select('totp_confirmed_at').where('id', '=', accountId).executeTakeFirst();
  return row?.totp_confirmed_at != null;
}

export interface SessionActor extends Actor {
  sessionId: string;
}

/**
 * The actor of a session token, while it lives (not revoked, not expired, used within the
 * idle limit); its last use is moved on. With `csrfToken` (a change), it must match.
 */
export async function sessionActor(db: Kysely<Database>, token: string, options: { csrfToken?: string | undefined; change: boolean; now?: Date }): Promise<SessionActor | undefined> {
  const now = options.now ?? new Date();
  const row = await db
    .selectFrom('staff_sessions')
    .innerJoin('staff_accounts', 'staff_accounts.id', 'staff_sessions.account_id')
    .select(['staff_sessions.id as sessionId', 'staff_sessions.csrf_hash', 'staff_sessions.expires_at', 'staff_sessions.last_seen_at', 'staff_accounts.id as accountId', 'staff_accounts.role', 'staff_accounts.purposes'])
    .where('staff_sessions.token_hash', '=', sha256(token))
    .where('staff_sessions.revoked_at', 'is', null)
    .where('staff_accounts.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row || !isRole(row.role)) return undefined;
  if (row.expires_at <= now.toISOString() || Date.parse(row.last_seen_at) + IDLE_MINUTES * 60_000 <= now.getTime()) return undefined;
  if (options.change) {
    const given = Buffer.from(sha256(options.csrfToken ?? ''), 'hex');
    const stored = Buffer.from(row.csrf_hash, 'hex');
    if (options.csrfToken === undefined || given.length !== stored.length || !timingSafeEqual(given, stored)) throw new VowError('forbidden', 'this change needs the X-Vow-CSRF token the sign-in gave');
  }
  // Moved on at most once a minute: a busy console does not write on every call.
  if (Date.parse(row.last_seen_at) + 60_000 <= now.getTime()) await db.updateTable('staff_sessions').set({ last_seen_at: now.toISOString() }).where('id', '=', row.sessionId).execute();
  return { keyId: row.accountId, role: row.role, purposes: JSON.parse(row.purposes) as string[], sessionId: row.sessionId };
}

/** Ends a session: the caller's own (signing out), or another of the same account (revoking it). */
export async function endSession(db: Kysely<Database>, options: { sessionId: string; accountId: string; how: 'signed-out' | 'session-revoked'; now?: Date }): Promise<void> {
  const now = options.now ?? new Date();
  await db.transaction().execute(async (trx) => {
    const ended = await trx.updateTable('staff_sessions').set({ revoked_at: now.toISOString() }).where('id', '=', options.sessionId).where('account_id', '=', options.accountId).where('revoked_at', 'is', null).executeTakeFirst();
    if (ended.numUpdatedRows !== 1n) throw new VowError('not_found', `no open session ${options.sessionId}`);
    await appendAudit(trx, { actor: `staff:${options.accountId}`, action: `staff.${options.how}`, target: `session:${options.sessionId}`, data: {} }, now);
  });
}

/** An account's open sessions, newest first. */
export async function sessionsOf(db: Kysely<Database>, accountId: string, now: Date = new Date()): Promise<{ id: string; createdAt: string; lastSeenAt: string; expiresAt: string }[]> {
  const rows = await db
    .selectFrom('staff_sessions')
    .select(['id', 'created_at', 'last_seen_at', 'expires_at'])
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((row) => ({ id: row.id, createdAt: row.created_at, lastSeenAt: row.last_seen_at, expiresAt: row.expires_at }));
}
