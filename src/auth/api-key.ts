/**
 * API keys: issued for a role and purposes, shown once, stored only as a SHA-256 hash.
 * A secret reads `vow_<id>_<random>`, so a leaked secret names the key to revoke.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Actor as AuditActor } from '../audit/audit-record.js';
import { sha256Hex } from '../canonical-json.js';
import { VowError } from '../errors.js';
import type { Declaration } from '../policy/declaration.js';
import type { Database } from '../store/schema.js';
import type { Actor } from './actor.js';
import {
  findActiveKeyByHash,
  findApiKeyRevokedAt,
  countActiveKeysForRole,
  insertApiKey,
  listApiKeyRows,
  markRevoked,
  type ApiKeyListRow,
} from './api-key.repository.js';
import { isRole, type Role } from './role.js';

export interface IssuedApiKey {
  id: string;
  /** The secret to hand to the key's holder. Vow keeps only its hash: it cannot be shown again. */
  secret: string;
}

export interface ApiKeySummary {
  id: string;
  role: Role;
  purposes: string[];
  label: string;
  createdAt: string;
  revokedAt: string | undefined;
}

export interface IssueApiKeyOptions {
  role: Role;
  /** Purpose ids, already checked against the declaration with `validatePurposes`. */
  purposes: readonly string[];
  label?: string;
  /** Who issues it, for the audit log (`cli`, `system`, `key:<id>`). */
  actor: AuditActor;
  now?: Date;
}

export interface RevokeApiKeyOptions {
  id: string;
  actor: AuditActor;
  now?: Date;
}

const secretPattern = /^vow_key_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/;

function newSecret(): IssuedApiKey {
  const id = `key_${randomBytes(8).toString('hex')}`;
  return { id, secret: `vow_${id}_${randomBytes(32).toString('base64url')}` };
}

/** Throws unless every purpose is declared; keys are only issued for purposes the policy states. */
export function validatePurposes(declaration: Declaration, purposes: readonly string[]): void {
  const declared = new Set(declaration.purposes.map((purpose) => purpose.id));
  const unknown = [...new Set(purposes)].filter((purpose) => !declared.has(purpose));
  if (unknown.length > 0) {
    throw new VowError('bad_request', `unknown purpose${unknown.length === 1 ? '' : 's'} ${unknown.map((purpose) => `"${purpose}"`).join(', ')}`);
  }
}

async function insertIssued(trx: Kysely<Database>, issued: IssuedApiKey, options: IssueApiKeyOptions): Promise<void> {
  const purposes = [...new Set(options.purposes)];
  const now = options.now ?? new Date();
  await appendAudit(
    trx,
    { actor: options.actor, action: 'key.issued', target: `key:${issued.id}`, data: { role: options.role, purposes: purposes.join(',') } },
    now,
  );
  await insertApiKey(trx, {
    id: issued.id,
    secret_hash: sha256Hex(issued.secret),
    role: options.role,
    purposes: JSON.stringify(purposes),
    label: options.label ?? '',
    created_at: now.toISOString(),
    revoked_at: null,
  });
}

/** Issues a key and audits it (`key.issued`, without the secret). The secret is returned once. */
export async function issueApiKey(db: Kysely<Database>, options: IssueApiKeyOptions): Promise<IssuedApiKey> {
  const issued = newSecret();
  await db.transaction().execute((trx) => insertIssued(trx, issued, options));
  return issued;
}

class AdminKeyExists extends Error {}

/**
 * On first start: issues an admin key when no un-revoked admin key exists and returns
 * it (to print once); otherwise returns undefined. Safe when several processes start
 * at once: the audit record is appended first, which takes the audit head's lock, so
 * a concurrent start waits there and then finds the winner's key.
 */
export async function ensureAdminKey(db: Kysely<Database>, options: { now?: Date } = {}): Promise<IssuedApiKey | undefined> {
  if ((await countActiveKeysForRole(db, 'admin')) > 0) return undefined;
  const issued = newSecret();
  const issue: IssueApiKeyOptions = { role: 'admin', purposes: [], label: 'first start', actor: 'system', ...options };
  try {
    await db.transaction().execute(async (trx) => {
      await insertIssued(trx, issued, issue);
      // The audit head's lock is held now, so a key committed by a concurrent start is visible to this read.
      if ((await countActiveKeysForRole(trx, 'admin')) > 1) throw new AdminKeyExists();
    });
  } catch (error) {
    if (error instanceof AdminKeyExists) return undefined;
    throw error;
  }
  return issued;
}

function parsePurposes(text: string): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return Array.isArray(value) && value.every((item): item is string => typeof item === 'string') ? value : undefined;
}

/** The actor behind a secret, or undefined for a malformed, unknown or revoked one. */
export async function authenticate(db: Kysely<Database>, secret: string): Promise<Actor | undefined> {
  if (!secretPattern.test(secret)) return undefined;
  const hash = sha256Hex(secret);
  const row = await findActiveKeyByHash(db, hash);
  if (!row) return undefined;
  const stored = Buffer.from(row.secret_hash, 'hex');
  const given = Buffer.from(hash, 'hex');
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
  const purposes = parsePurposes(row.purposes);
  if (!isRole(row.role) || !purposes) return undefined;
  return { keyId: row.id, role: row.role, purposes };
}

/** Revokes an un-revoked key and audits it (`key.revoked`). */
export async function revokeApiKey(db: Kysely<Database>, options: RevokeApiKeyOptions): Promise<void> {
  const at = options.now ?? new Date();
  await db.transaction().execute(async (trx) => {
    if (!(await markRevoked(trx, options.id, at.toISOString()))) {
      const existing = await findApiKeyRevokedAt(trx, options.id);
      throw existing
        ? new VowError('conflict', `API key ${options.id} is already revoked`)
        : new VowError('not_found', `no API key ${options.id}`);
    }
    await appendAudit(trx, { actor: options.actor, action: 'key.revoked', target: `key:${options.id}` }, at);
  });
}

function toSummary(row: ApiKeyListRow): ApiKeySummary {
  const purposes = parsePurposes(row.purposes);
  if (!isRole(row.role) || !purposes) throw new Error(`API key ${row.id} has a malformed role or purposes`);
  return { id: row.id, role: row.role, purposes, label: row.label, createdAt: row.created_at, revokedAt: row.revoked_at ?? undefined };
}

/** Every key, oldest first, revoked ones included; never the hashes. */
export async function listApiKeys(db: Kysely<Database>): Promise<ApiKeySummary[]> {
  return (await listApiKeyRows(db)).map(toSummary);
}
