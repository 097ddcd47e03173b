import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { VowError } from '../errors.js';
import { recordContinuedUse } from '../policy-notices/accept-policy.js';
import { isUniqueViolation } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import { blindIndex } from './blind-index.js';
import { decryptFields, encryptFields, type Fields } from './field-cipher.js';
import { openSubject } from './subject-store.js';
import { deleteIdentifiers, findRecords, insertIdentifier, touchSubject, updateRecordData } from './subject.repository.js';
import { ageOn, categoryOfKind, validateFields } from './validate-fields.js';
import type { VaultContext } from './vault-context.js';

export interface AccountUpdate {
  subjectId: string;
  fields: Record<string, unknown>;
  actor: Actor;
  now?: Date;
}

/** Corrects account fields (the policy's "change or correct your Personal Information"). */
export async function updateAccount(ctx: VaultContext, options: AccountUpdate): Promise<{ subjectId: string; updated: string[] }> {
  const now = options.now ?? new Date();
  const changes = checkAccountChanges(ctx, options.fields, now);
  try {
    return await ctx.db.transaction().execute((trx) => writeAccountChanges(ctx, trx, { ...options, changes, now }));
  } catch (error) {
    throw asAddressConflict(error);
  }
}

/** The declared fields an update changes, checked before anything is written: a refusal leaves everything as it was. */
export function checkAccountChanges(ctx: VaultContext, fields: Record<string, unknown>, now: Date): Fields {
  const changes = validateFields(categoryOfKind(ctx.declaration.categories, 'account'), fields);
  if (Object.keys(changes).length === 0) throw new VowError('bad_request', 'no fields to update');
  if (changes.birthDate !== undefined && ageOn(changes.birthDate, now) < ctx.declaration.minimumAge) {
    throw new VowError('under_minimum_age', `the corrected birth date is under ${ctx.declaration.minimumAge}; nothing was changed`);
  }
  return changes;
}

/** Writes checked changes inside the caller's transaction, so that what the update owes (notices, a request's completion) commits with it. */
export async function writeAccountChanges(
  ctx: VaultContext,
  trx: Kysely<Database>,
  options: { subjectId: string; changes: Fields; actor: Actor; now: Date },
): Promise<{ subjectId: string; updated: string[] }> {
  const { changes, now } = options;
  const category = categoryOfKind(ctx.declaration.categories, 'account');
  const subject = await openSubject(ctx, trx, options.subjectId);
  const [record] = subject ? await findRecords(trx, subject.id, [category.id]) : [];
  if (!subject || !record) throw new VowError('not_found', `no account for subject ${options.subjectId}`);
  const fields = { ...decryptFields(subject.dataKey, record.id, record.data), ...changes };
  const at = now.toISOString();
  await updateRecordData(trx, record.id, encryptFields(subject.dataKey, record.id, fields), at);
  await touchSubject(trx, subject.id, at);
  if (changes.email !== undefined) {
    await deleteIdentifiers(trx, subject.id, 'email');
    await insertIdentifier(trx, subject.id, 'email', blindIndex(ctx.blindKey, 'email', changes.email));
  }
  const updated = Object.keys(changes).sort();
  await appendAudit(trx, { actor: options.actor, action: 'account.updated', target: `subject:${subject.id}`, data: { fields: updated.join(',') } }, now);
  await recordContinuedUse(ctx, trx, { subjectId: subject.id, actor: options.actor, now });
  return { subjectId: subject.id, updated };
}

/** A transaction that failed on the unique e-mail index, as the refusal it is; any other error as it came. */
export function asAddressConflict(error: unknown): unknown {
  return isUniqueViolation(error) ? new VowError('conflict', 'another subject already has this e-mail address') : error;
}
