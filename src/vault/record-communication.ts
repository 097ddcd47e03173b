import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { recordContinuedUse } from '../policy-notices/accept-policy.js';
import { isUniqueViolation } from '../store/open-store.js';
import { findOrCreateContact, storeRecord } from './subject-store.js';
import { categoryOfKind, validateFields } from './validate-fields.js';
import type { VaultContext } from './vault-context.js';

/**
 * Keeps a message someone sent (name, contact information, contents). The address it
 * gives proves nothing, so the message is never filed with the account holding that
 * address: it goes to the subject of messages from that address (`findOrCreateContact`),
 * which joins the account once the address's holder proves it or staff link it.
 */
export async function recordCommunication(
  ctx: VaultContext,
  options: { fields: Record<string, unknown>; source: 'contact-form' | 'api'; actor: Actor; now?: Date },
): Promise<{ subjectId: string; recordId: string }> {
  const category = categoryOfKind(ctx.declaration.categories, 'communication');
  const declared = category.fields.map((field) => field.name);
  const fields = validateFields(category, options.fields, { require: ['email', 'message'].filter((name) => declared.includes(name)) });
  const now = options.now ?? new Date();
  const write = () =>
    ctx.db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      const subject = await findOrCreateContact(ctx, trx, { email: fields.email, now: at });
      const recordId = await storeRecord(trx, subject, { category: category.id, source: options.source, fields, now: at });
      await appendAudit(trx, { actor: options.actor, action: 'communication.received', target: `subject:${subject.id}`, data: { record: recordId } }, now);
      if (!subject.created) await recordContinuedUse(ctx, trx, { subjectId: subject.id, actor: options.actor, now });
      return { subjectId: subject.id, recordId };
    });
  try {
    return await write();
  } catch (error) {
    // Two first messages from one address at once: the second joins the subject the first created.
    if (isUniqueViolation(error)) return write();
    throw error;
  }
}
