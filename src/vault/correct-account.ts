/**
 * A correction of account fields and the notices it owes the recipients that received
 * the data (GDPR art. 19), committed together: a signed webhook where one is registered,
 * a task for staff otherwise. Requested corrections and staff corrections both come here.
 */
import type { Kysely } from 'kysely';
import type { Actor } from '../audit/audit-record.js';
import type { Database } from '../store/schema.js';
import { kickDeliveries } from '../webhooks/deliver-webhooks.js';
import { queueNotices, type QueuedNotices } from '../webhooks/notify-recipients.js';
import { asAddressConflict, checkAccountChanges, writeAccountChanges } from './update-account.js';
import type { Fields } from './field-cipher.js';
import { categoryOfKind } from './validate-fields.js';
import type { VaultContext } from './vault-context.js';

export async function correctAccount(
  ctx: VaultContext,
  options: { subjectId: string; fields: Record<string, unknown>; actor: Actor; now?: Date },
): Promise<{ subjectId: string; updated: string[]; notices: Omit<QueuedNotices, 'deliveryIds'> }> {
  const now = options.now ?? new Date();
  const changes = checkAccountChanges(ctx, options.fields, now);
  let corrected;
  try {
    corrected = await ctx.db.transaction().execute((trx) => correctAccountWithin(ctx, trx, { subjectId: options.subjectId, changes, actor: options.actor, now }));
  } catch (error) {
    throw asAddressConflict(error);
  }
  const { deliveryIds, ...notices } = corrected.notices;
  kickDeliveries(ctx, deliveryIds);
  return { subjectId: corrected.subjectId, updated: corrected.updated, notices };
}

/** The correction and its notices inside the caller's transaction; kick the deliveries once it committed. */
export async function correctAccountWithin(
  ctx: VaultContext,
  trx: Kysely<Database>,
  options: { subjectId: string; changes: Fields; actor: Actor; now: Date; requestId?: string },
): Promise<{ subjectId: string; updated: string[]; notices: QueuedNotices }> {
  const { subjectId, updated } = await writeAccountChanges(ctx, trx, options);
  const notices = await queueNotices(ctx, trx, {
    ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
    subjectId,
    event: 'correction',
    fields: [...updated],
    categories: [categoryOfKind(ctx.declaration.categories, 'account').id],
    now: options.now,
  });
  return { subjectId, updated, notices };
}
