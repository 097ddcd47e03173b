/**
 * Joins the messages sent from an address (`findOrCreateContact`) to the subject whose
 * holder proved that address: by a verified request's code, or staff verifying the
 * request. From then on access and erasure of that subject reach the messages, as they
 * reach linked visitors. Messages already joined to another subject stay there.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import { VowError } from '../errors.js';
import type { Database } from '../store/schema.js';
import { blindIndex } from './blind-index.js';
import { contactOfAddress } from './subject-store.js';
import { findSubject } from './subject.repository.js';
import type { VaultContext } from './vault-context.js';

/** Links the messages of the address (its `email` blind index) to the subject; true when they are linked to it now. */
export async function linkVerifiedContact(trx: Kysely<Database>, options: { subjectId: string | null; addressIndex: string | null; actor: string; now: Date }): Promise<boolean> {
  if (options.subjectId === null || options.addressIndex === null) return false;
  const contact = await contactOfAddress(trx, options.addressIndex);
  if (contact === undefined || contact === options.subjectId) return false;
  const existing = await trx.selectFrom('subject_links').select('subject_id').where('linked_subject_id', '=', contact).executeTakeFirst();
  if (existing) return existing.subject_id === options.subjectId;
  await trx.insertInto('subject_links').values({ subject_id: options.subjectId, linked_subject_id: contact, linked_at: options.now.toISOString() }).execute();
  await appendAudit(trx, { actor: options.actor, action: 'contact.linked', target: `subject:${options.subjectId}`, data: { contact } }, options.now);
  return true;
}

/** Staff judged that the messages sent from `email` are the account holder's: access and erasure of the account reach them. */
export async function linkContact(ctx: VaultContext, options: { subjectId: string; email: string; actor: string; now?: Date }): Promise<{ subjectId: string; linked: boolean }> {
  const now = options.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const account = await findSubject(trx, options.subjectId);
    if (account?.kind !== 'account') throw new VowError('not_found', `no account for subject ${options.subjectId}`);
    const linked = await linkVerifiedContact(trx, { subjectId: account.id, addressIndex: blindIndex(ctx.blindKey, 'email', options.email), actor: options.actor, now });
    return { subjectId: account.id, linked };
  });
}
