/**
 * A correction of account fields and the notices it owes the recipients that received
 * the data (GDPR art. 19), committed together: a signed webhook where one is registered,
 * a task for staff otherwise. Requested corrections and staff corrections both come here.
 */
import type { Actor } from '../audit/audit-record.js';
import { kickDeliveries } from '../webhooks/deliver-webhooks.js';
import { queueNotices, type QueuedNotices } from '../webhooks/notify-recipients.js';
import { updateAccount } from './update-account.js';
import { categoryOfKind } from './validate-fields.js';
import type { VaultContext } from './vault-context.js';

export async function correctAccount(
  ctx: VaultContext,
  options: { subjectId: string; fields: Record<string, unknown>; actor: Actor; now?: Date },
): Promise<{ subjectId: string; updated: string[]; notices: Omit<QueuedNotices, 'deliveryIds'> }> {
  let notices: QueuedNotices = { recipients: [], toldByStaff: [], deliveryIds: [] };
  const { subjectId, updated } = await updateAccount(ctx, {
    ...options,
    alsoInTransaction: async (trx, fields) => {
      notices = await queueNotices(ctx, trx, {
        subjectId: options.subjectId,
        event: 'correction',
        fields: [...fields],
        categories: [categoryOfKind(ctx.declaration.categories, 'account').id],
        ...(options.now ? { now: options.now } : {}),
      });
    },
  });
  kickDeliveries(ctx, notices.deliveryIds);
  return { subjectId, updated, notices: { recipients: notices.recipients, toldByStaff: notices.toldByStaff } };
}
