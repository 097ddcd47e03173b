import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { underMinimumAge } from '../children/age-gate-flag.js';
import { applyUnder16Default } from '../children/under-16.js';
import { claimAddressOptOut } from '../requests/sale-opt-out.js';
import { VowError } from '../errors.js';
import { enqueueMessage } from '../outbox/outbox.js';
import { isUniqueViolation } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import { recordCollectionTransfers } from '../transfers/record-collection-transfers.js';
import { createSubject, findOrCreateSubject, storeRecord } from './subject-store.js';
import { newId } from './ids.js';
import { decryptFields } from './field-cipher.js';
import { findRecords, hasCategory } from './subject.repository.js';
import { ageOn, categoryOfKind, validateFields } from './validate-fields.js';
import type { VaultContext } from './vault-context.js';

export interface CreateAccountOptions {
  fields: Record<string, unknown>;
  actor: Actor;
  /** ISO 3166-1 alpha-2 country the account is opened from, when known: recorded as the subject's region. */
  region?: string | null | undefined;
  now?: Date;
}

/**
 * Opens an account. The age gate comes first: a birth date under the declared minimum
 * age is refused before anything about the person is written — no row, no log line, no
 * audit record. An address that already has an account answers as a new one would (an
 * id that leads nowhere), keeps nothing of what was sent, and tells the address's owner
 * by mail: the public route never reveals whether someone has an account.
 */
export async function createAccount(ctx: VaultContext, options: CreateAccountOptions): Promise<{ subjectId: string; recordId: string }> {
  const category = categoryOfKind(ctx.declaration.categories, 'account');
  const declared = category.fields.map((field) => field.name);
  const fields = validateFields(category, options.fields, { require: ['email', 'birthDate'].filter((name) => declared.includes(name)) });
  const now = options.now ?? new Date();
  if (fields.birthDate !== undefined) {
    const age = ageOn(fields.birthDate, now);
    if (age < 0 || age > 150) throw new VowError('bad_request', 'birthDate is not a plausible birth date', [{ path: 'birthDate', message: 'is not plausible' }]);
    if (age < ctx.declaration.minimumAge) throw underMinimumAge(ctx.declaration);
  }
  const email = fields.email;
  const identifiers = email === undefined ? [] : [{ kind: 'email' as const, value: email }];
  const attempt = (expectNewcomer: boolean) =>
    ctx.db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      const subjectOptions = { kind: 'account', identifiers, now: at, region: options.region };
      const subject = expectNewcomer ? await createSubject(ctx, trx, subjectOptions) : await findOrCreateSubject(ctx, trx, subjectOptions);
      // Someone who wrote to us before becomes an account holder; an account holder cannot sign up twice.
      if (!subject.created && (await hasCategory(trx, subject.id, category.id))) {
        const [record] = await findRecords(trx, subject.id, [category.id]);
        // Written to as the account knows its address, not as this sign-up spelled it.
        const owner = record ? decryptFields(subject.dataKey, record.id, record.data).email : undefined;
        return alreadyRegistered(ctx, trx, { subjectId: subject.id, email: owner ?? email ?? '', actor: options.actor, now });
      }
      const recordId = await storeRecord(trx, subject, { category: category.id, source: 'api', fields, now: at });
      if (subject.created) await recordCollectionTransfers(trx, ctx.declaration, { subjectId: subject.id, region: options.region, now: at });
      await appendAudit(trx, { actor: options.actor, action: 'account.created', target: `subject:${subject.id}`, data: { record: recordId } }, now);
      await applyUnder16Default(ctx, trx, { subjectId: subject.id, birthDate: fields.birthDate, actor: options.actor, now });
      if (email !== undefined) await claimAddressOptOut(ctx, trx, { subjectId: subject.id, email, actor: options.actor, now });
      return { subjectId: subject.id, recordId };
    });
  try {
    return await attempt(true);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  // Two sign-ups with one address at once: the identifier's key lets one through, and the other finds it on its retry.
  return attempt(false);
}

/** The answer to a sign-up with an address that has an account: a decoy id, and a mail to the owner. */
async function alreadyRegistered(
  ctx: VaultContext,
  trx: Kysely<Database>,
  options: { subjectId: string; email: string; actor: Actor; now: Date },
): Promise<{ subjectId: string; recordId: string }> {
  const org = ctx.declaration.organization;
  await enqueueMessage(
    ctx,
    trx,
    {
      kind: 'other',
      to: options.email,
      subjectId: options.subjectId,
      subject: `Someone tried to open a ${org.shortName} account with your address`,
      text:
        `Someone, perhaps you, tried to open a new ${org.shortName} account with this e-mail address, which already has an account. ` +
        `Nothing was changed, and nothing they sent was kept.\n\nIf it was you, you already have an account. If it was not, you need do nothing; ` +
        `questions go to ${org.contactEmail}.\n`,
    },
    options.now,
  );
  await appendAudit(trx, { actor: options.actor, action: 'account.sign-up-existing', target: `subject:${options.subjectId}`, data: {} }, options.now);
  return { subjectId: newId('sub'), recordId: newId('rec') };
}
