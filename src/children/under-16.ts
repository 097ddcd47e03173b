/**
 * Minors and the sale or sharing of personal information (CCPA §1798.120(c)): a subject
 * known to be under 16 is opted out unless it opts in; from 13 to 15 it may opt in itself,
 * under 13 only a parent or guardian may, which Vow does not record, so it is refused.
 */
import type { Kysely } from 'kysely';
import { VowError } from '../errors.js';
import { setSaleOptOut } from '../requests/sale-opt-out.js';
import type { Database } from '../store/schema.js';
import { decryptFields } from '../vault/field-cipher.js';
import { findKeyAndRecords } from '../vault/subject.repository.js';
import { ageOn, categoryOfKind } from '../vault/validate-fields.js';
import type { VaultContext } from '../vault/vault-context.js';

export const SALE_OPT_IN_AGE = 16;
export const SELF_OPT_IN_AGE = 13;

/** Called when an account is opened, inside its transaction: an under-16 starts opted out. */
export async function applyUnder16Default(
  ctx: VaultContext,
  trx: Kysely<Database>,
  options: { subjectId: string; birthDate: string | undefined; actor: string; now: Date },
): Promise<boolean> {
  if (options.birthDate === undefined || ageOn(options.birthDate, options.now) >= SALE_OPT_IN_AGE) return false;
  await setSaleOptOut(ctx, trx, { subjectId: options.subjectId, optedOut: true, reason: 'under-16', actor: options.actor, now: options.now });
  return true;
}

/** The subject's age from the birth date on its account, when it gave one. */
export async function ageOfSubject(ctx: VaultContext, subjectId: string, now: Date): Promise<number | undefined> {
  const account = categoryOfKind(ctx.declaration.categories, 'account').id;
  const found = await findKeyAndRecords(ctx.db, subjectId, [account]);
  if (!found) throw new VowError('not_found', `no subject ${subjectId}`);
  const dataKey = ctx.keyring.unwrap(found.key, subjectId);
  for (const record of found.records) {
    const birthDate = decryptFields(dataKey, record.id, record.data).birthDate;
    if (birthDate !== undefined) return ageOn(birthDate, now);
  }
  return undefined;
}

/** The subject opts in to sale and sharing (recorded with who and when, audited by setSaleOptOut). */
export async function saleOptIn(ctx: VaultContext, options: { subjectId: string; actor: string; now?: Date }): Promise<{ subjectId: string; optedOut: false; at: string; by: string }> {
  const now = options.now ?? new Date();
  const age = await ageOfSubject(ctx, options.subjectId, now);
  if (age !== undefined && age < SELF_OPT_IN_AGE) {
    throw new VowError('forbidden', `a subject under ${SELF_OPT_IN_AGE} cannot opt in to the sale or sharing of its personal information; only a parent or guardian can`);
  }
  await ctx.db.transaction().execute((trx) => setSaleOptOut(ctx, trx, { subjectId: options.subjectId, optedOut: false, reason: 'opt-in', actor: options.actor, now }));
  return { subjectId: options.subjectId, optedOut: false, at: now.toISOString(), by: options.actor };
}
