/** Finding or creating a subject by its identifiers, and storing encrypted records for it. */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { blindIndex, type IdentifierKind } from './blind-index.js';
import { encryptFields, type Fields } from './field-cipher.js';
import { newId } from './ids.js';
import * as subjects from './subject.repository.js';
import type { VaultContext } from './vault-context.js';

export interface Identifier {
  kind: IdentifierKind;
  value: string;
}

export interface SubjectHandle {
  id: string;
  dataKey: Buffer;
  created: boolean;
}

export async function findSubjectByIdentifier(ctx: VaultContext, db: Kysely<Database>, identifier: Identifier): Promise<string | undefined> {
  return subjects.findSubjectIdByIdentifier(db, identifier.kind, blindIndex(ctx.blindKey, identifier.kind, identifier.value));
}

/** The subject's data key, or undefined when the subject does not exist (or was erased). */
export async function openSubject(ctx: VaultContext, db: Kysely<Database>, subjectId: string): Promise<SubjectHandle | undefined> {
  const subject = await subjects.findSubject(db, subjectId);
  return subject && { id: subject.id, dataKey: ctx.keyring.unwrap(subject.key, subject.id), created: false };
}

/**
 * The subject known by any of these identifiers, or a new one with its own data key.
 * Identifiers the subject does not have yet are added to it.
 */
export async function findOrCreateSubject(
  ctx: VaultContext,
  trx: Kysely<Database>,
  options: { kind: string; identifiers: readonly Identifier[]; now: string; region?: string | null | undefined },
): Promise<SubjectHandle> {
  const indexed = options.identifiers.map((identifier) => ({ kind: identifier.kind, index: blindIndex(ctx.blindKey, identifier.kind, identifier.value) }));
  let handle: SubjectHandle | undefined;
  const missing: typeof indexed = [];
  for (const identifier of indexed) {
    const found = await subjects.findSubjectIdByIdentifier(trx, identifier.kind, identifier.index);
    if (found && !handle) handle = await openSubject(ctx, trx, found);
    if (!found) missing.push(identifier);
  }
  if (!handle) return createSubject(ctx, trx, options);
  await subjects.touchSubject(trx, handle.id, options.now);
  for (const identifier of missing) await subjects.insertIdentifier(trx, handle.id, identifier.kind, identifier.index);
  return handle;
}

/**
 * Messages sent from an address that nobody has proved to hold are kept apart, in a
 * subject of their own found by that address under identifier kind `unverified-email`
 * (the same keyed hash as `email`, so a request's address finds it too). Such a subject
 * joins the address's account only when staff link it or the holder of the address
 * proves it (`vault/link-contact.ts`): a message never reaches an account on its word alone.
 */
export async function findOrCreateContact(ctx: VaultContext, trx: Kysely<Database>, options: { email: string | undefined; now: string }): Promise<SubjectHandle> {
  const index = options.email === undefined ? undefined : blindIndex(ctx.blindKey, 'email', options.email);
  const found = index === undefined ? undefined : await subjects.findSubjectIdByIdentifier(trx, UNVERIFIED_EMAIL, index);
  const handle = found === undefined ? undefined : await openSubject(ctx, trx, found);
  if (handle) {
    await subjects.touchSubject(trx, handle.id, options.now);
    return handle;
  }
  const created = await createSubject(ctx, trx, { kind: 'contact', identifiers: [], now: options.now });
  if (index !== undefined) await subjects.insertIdentifier(trx, created.id, UNVERIFIED_EMAIL, index);
  return created;
}

/** The identifier kind of an address a message gave (see `findOrCreateContact`). */
export const UNVERIFIED_EMAIL = 'unverified-email';

/** The subject holding messages from this address (its `email` blind index), if any. */
export function contactOfAddress(db: Kysely<Database>, addressIndex: string): Promise<string | undefined> {
  return subjects.findSubjectIdByIdentifier(db, UNVERIFIED_EMAIL, addressIndex);
}

/**
 * A new subject with its own data key, claiming these identifiers; `region` is the ISO
 * country where it was collected, when known. When one is already
 * claimed the insert fails on its unique key: callers that expect a newcomer try this
 * first and fall back to `findOrCreateSubject`, saving a lookup on the common path.
 */
export async function createSubject(
  ctx: VaultContext,
  trx: Kysely<Database>,
  options: { kind: string; identifiers: readonly Identifier[]; now: string; region?: string | null | undefined },
): Promise<SubjectHandle> {
  const id = newId('sub');
  const dataKey = randomBytes(32);
  await subjects.insertSubject(
    trx,
    { id, kind: options.kind, region: options.region ?? null, createdAt: options.now, lastActivityAt: options.now, closedAt: null },
    ctx.keyring.wrap(dataKey, id),
  );
  for (const identifier of options.identifiers) {
    await subjects.insertIdentifier(trx, id, identifier.kind, blindIndex(ctx.blindKey, identifier.kind, identifier.value));
  }
  return { id, dataKey, created: true };
}

export async function storeRecord(
  trx: Kysely<Database>,
  subject: SubjectHandle,
  record: { category: string; source: string; fields: Fields; now: string },
): Promise<string> {
  const id = newId('rec');
  await subjects.insertRecord(trx, subject.id, {
    id,
    category: record.category,
    source: record.source,
    collectedAt: record.now,
    updatedAt: record.now,
    data: encryptFields(subject.dataKey, id, record.fields),
  });
  return id;
}
