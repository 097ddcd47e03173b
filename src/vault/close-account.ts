/**
 * Closing an account: the moment every `retention: { from: account-closure }` clock
 * starts from. Nothing is deleted now; retention deletes each category when its period
 * since the closure has passed (an erasure request deletes at once). Closing twice keeps
 * the first moment.
 */
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { VowError } from '../errors.js';
import { findSubject, markSubjectClosed } from './subject.repository.js';
import type { VaultContext } from './vault-context.js';

export interface ClosedAccount {
  subjectId: string;
  closedAt: string;
  /** False when the account was already closed: `closedAt` is then the first closure. */
  closedNow: boolean;
}

export async function closeAccount(ctx: VaultContext, options: { subjectId: string; actor: Actor; now?: Date }): Promise<ClosedAccount> {
  const now = options.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const subject = await findSubject(trx, options.subjectId);
    if (subject?.kind !== 'account') throw new VowError('not_found', `no account for subject ${options.subjectId}`);
    if (subject.closedAt !== null) return { subjectId: subject.id, closedAt: subject.closedAt, closedNow: false };
    const closedAt = now.toISOString();
    await markSubjectClosed(trx, subject.id, closedAt);
    await appendAudit(trx, { actor: options.actor, action: 'account.closed', target: `subject:${subject.id}`, data: {} }, now);
    return { subjectId: subject.id, closedAt, closedNow: true };
  });
}
