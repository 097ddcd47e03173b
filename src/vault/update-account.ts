import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { VowError } from '../errors.js';
import { recordContinuedUse } from '../policy-notices/accept-policy.js';
import { isUniqueViolation } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import { blindIndex } from './blind-index.js';
import { decryptFields, encryptFields } from './field-cipher.js';
import { openSubject } from './subject-store.js';
import { deleteIdentifiers, findRecords, insertIdentifier, touchSubject, updateRecordData } from './subject.repository.js';
import { ageOn, categoryOfKind, validateFields } from './validate-fields.js';
import type { VaultContext } from './vault-context.js';

/** Corrects account fields (the policy's "change or correct your Personal Information"). */
export async function updateAccount(
  ctx: VaultContext,
  options: {
    subjectId: string;
    fields: Record<string, unknown>;
    actor: Actor;
    now?: Date;
    /** More writes that must commit with the correction or not at all (telling its recipients, GDPR art. 19). */
    alsoInTransaction?: (trx: Kysely<Database>, updated: readonly string[]) => Promise<void>;
  },
): Promise<{ subjectId: string; updated: string[] }> {
  const category = categoryOfKind(ctx.declaration.categories, 'account');
  const changes = validateFields(category, options.fields);
  if (Object.keys(changes).length === 0) throw new VowError('bad_request', 'no fields to update');
  const now = options.now ?? new Date();
  if (changes.birthDate !== undefined && ageOn(changes.birthDate, now) < ctx.declaration.minimumAge) {
    throw new VowError('under_minimum_age', `the corrected birth date is under ${ctx.declaration.minimumAge}; nothing was changed`);
  }
  try {
    return await ctx.db.transaction().execute(async (trx) => {
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
      await options.alsoInTransaction?.(trx, updated);
      await recordContinuedUse(ctx, trx, { subjectId: subject.id, actor: options.actor, now });
      return { subjectId: subject.id, updated };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new VowError('conflict', 'another subject already has this e-mail address');
    throw error;
  }
}
