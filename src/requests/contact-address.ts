/** Where to write to a subject: the e-mail address it gave us, read from its own records. */
import { decryptFields } from '../vault/field-cipher.js';
import { findKeyAndRecords } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';

/**
 * The subject's records of `categories`, decrypted, in the order its values are trusted:
 * its account record first, then the others, newest first. Undefined when the subject is
 * unknown or erased.
 */
export async function openRecordsAccountFirst(
  ctx: VaultContext,
  subjectId: string,
  categories: readonly string[],
): Promise<{ category: string; fields: Record<string, unknown> }[] | undefined> {
  if (categories.length === 0) return [];
  const found = await findKeyAndRecords(ctx.db, subjectId, [...categories]);
  if (!found) return undefined;
  const dataKey = ctx.keyring.unwrap(found.key, subjectId);
  const account = ctx.declaration.categories.find((category) => category.kind === 'account' && category.personal)?.id;
  const ordered = [...found.records.filter((record) => record.category === account), ...found.records.filter((record) => record.category !== account).reverse()];
  return ordered.map((record) => ({ category: record.category, fields: decryptFields(dataKey, record.id, record.data) }));
}

/**
 * The subject's e-mail address, decrypted: from its account record first, else from any
 * record with an `email` field (someone who only wrote to us). Undefined when the subject
 * is unknown, erased, or never gave one. Read it before an erasure to send the notice after.
 */
export async function readContactAddress(ctx: VaultContext, subjectId: string): Promise<string | undefined> {
  const withEmail = ctx.declaration.categories.filter((category) => category.fields.some((field) => field.name === 'email')).map((category) => category.id);
  const records = await openRecordsAccountFirst(ctx, subjectId, withEmail);
  const email = records?.map((record) => record.fields.email).find((value) => typeof value === 'string' && value !== '');
  return typeof email === 'string' ? email : undefined;
}
