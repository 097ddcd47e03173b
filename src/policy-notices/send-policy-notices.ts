/**
 * Tells account holders of the latest material policy version, a batch at a time (the
 * scheduled job calls this; nothing is sent inline when publishing). Each subject is
 * recorded as notified of the version, so no one is told twice and a run can stop anywhere.
 */
import { appendAudit } from '../audit/append-audit.js';
import { enqueueMessage } from '../outbox/outbox.js';
import { readContactAddress } from '../requests/contact-address.js';
import { categoryOfKind } from '../vault/validate-fields.js';
import type { VaultContext } from '../vault/vault-context.js';
import { policyNoticeText } from './policy-notice-text.js';
import { findLatestMaterialVersion, findSubjectsToNotify, insertNotice } from './policy-notice.repository.js';

export interface PolicyNoticeRun {
  /** The material version notified, or null when none was ever published. */
  version: number | null;
  notified: number;
  /** Of those, how many had no address to write to (told by the page only). */
  withoutAddress: number;
  /** Whether account holders remain to be told (the batch limit was reached). */
  more: boolean;
}

export async function sendPolicyNotices(ctx: VaultContext, options: { now?: Date; batchSize?: number; maxBatches?: number } = {}): Promise<PolicyNoticeRun> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 100;
  const maxBatches = options.maxBatches ?? 10;
  const version = await findLatestMaterialVersion(ctx.db);
  if (!version) return { version: null, notified: 0, withoutAddress: 0, more: false };
  const accountCategory = categoryOfKind(ctx.declaration.categories, 'account').id;
  const byEmail = ctx.declaration.changes.notify.includes('email');
  const { subject, text } = policyNoticeText(ctx.declaration, version);
  let notified = 0;
  let withoutAddress = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const subjectIds = await findSubjectsToNotify(ctx.db, { accountCategory, version, limit: batchSize });
    if (subjectIds.length === 0) return { version: version.number, notified, withoutAddress, more: false };
    // Addresses are read (and decrypted) before the transaction, which then only writes.
    const addresses = new Map<string, string | undefined>();
    for (const subjectId of subjectIds) addresses.set(subjectId, byEmail ? await readContactAddress(ctx, subjectId) : undefined);
    await ctx.db.transaction().execute(async (trx) => {
      for (const subjectId of subjectIds) {
        const to = addresses.get(subjectId);
        const messageId = to === undefined ? null : await enqueueMessage(ctx, trx, { to, subject, text, kind: 'policy-change', subjectId }, now);
        if (!(await insertNotice(trx, { subjectId, version: version.number, notifiedAt: now.toISOString(), messageId }))) continue;
        if (to === undefined) withoutAddress += 1;
        notified += 1;
        await appendAudit(
          trx,
          { actor: 'system', action: 'policy.notified', target: `subject:${subjectId}`, data: { version: version.number, message: messageId } },
          now,
        );
      }
    });
  }
  const remaining = await findSubjectsToNotify(ctx.db, { accountCategory, version, limit: 1 });
  return { version: version.number, notified, withoutAddress, more: remaining.length > 0 };
}
