/** Where to write to a subject: the e-mail address it gave us, read from its own records. */
import { decryptFields } from '../vault/field-cipher.js';
import { findKeyAndRecords } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';

/**
 * The subject's e-mail address, decrypted: from its account record first, else from any
 * record with an `email` field (someone who only wrote to us). Undefined when the subject
 * is unknown, erased, or never gave one. Read it before an erasure to send the notice after.
 */
export async function readContactAddress(ctx: VaultContext, subjectId: string): Promise<string | undefined> {
  const withEmail = ctx.declaration.categories.filter((category) => category.fields.some((field) => field.name === 'email'));
  if (withEmail.length === 0) return undefined;
  const found = await findKeyAndRecords(ctx.db, subjectId, withEmail.map((category) => category.id));
  if (!found) return undefined;
  const dataKey = ctx.keyring.unwrap(found.key, subjectId);
  const account = ctx.declaration.categories.find((category) => category.kind === 'account' && category.personal)?.id;
  const ordered = [...found.records.filter((record) => record.category === account), ...found.records.filter((record) => record.category !== account).reverse()];
  for (const record of ordered) {
    const email = decryptFields(dataKey, record.id, record.data).email;
    if (email) return email;
  }
  return undefined;
}
