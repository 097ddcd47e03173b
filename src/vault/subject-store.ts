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
