/**
 * The end of a review of a report about a child. Confirming erases the child's data
 * through the same erasure as a deletion request (reason `child`: recipients notified,
 * proof of erasure kept) and clears the report's own sealed mention of the child;
 * dismissing keeps the report, with the reason. Either way the reporter is told.
 */
import { appendAudit } from '../audit/append-audit.js';
import { eraseSubject } from '../erasure/erase-subject.js';
import { VowError } from '../errors.js';
import type { VaultContext } from '../vault/vault-context.js';
import { childReportKey, openReportField, sealReportField } from './child-report-cipher.js';
import { decideChildReport, findChildReport } from './child-report.repository.js';
import { notifyReporter } from './notify-reporter.js';

export type ChildReportOutcome = 'erased' | 'held' | 'nothing-held';

export interface ChildReportDecision {
  reportId: string;
  status: 'confirmed' | 'dismissed';
  decidedAt: string;
  outcome: ChildReportOutcome | null;
  heldCategories: string[];
  recipientsNotified: string[];
}

async function openReport(ctx: VaultContext, reportId: string) {
  const report = await findChildReport(ctx.db, reportId);
  if (!report) throw new VowError('not_found', `no report ${reportId}`);
  if (report.status !== 'open') throw new VowError('conflict', `report ${reportId} was already ${report.status}`);
  return report;
}

export async function confirmChildReport(
  ctx: VaultContext,
  options: { reportId: string; actor: string; subjectId?: string; now?: Date },
): Promise<ChildReportDecision> {
  const now = options.now ?? new Date();
  const report = await openReport(ctx, options.reportId);
  // Staff may name the account they found by other means; otherwise the one the report named.
  const subjectId = options.subjectId ?? report.subject_id ?? undefined;
  let outcome: ChildReportOutcome = 'nothing-held';
  let heldCategories: string[] = [];
  let recipientsNotified: string[] = [];
  if (subjectId !== undefined) {
    try {
      const erasure = await eraseSubject(ctx, { subjectId, actor: options.actor, reason: 'child', now });
      outcome = erasure.erased ? 'erased' : 'held';
      heldCategories = erasure.heldCategories;
      recipientsNotified = erasure.recipientsNotified;
    } catch (error) {
      // Already erased (or never existed): confirming again finds nothing left to erase.
      if (!(error instanceof VowError && error.code === 'not_found')) throw error;
    }
  }
  const key = await childReportKey(ctx);
  const reporter = openReportField(key, report.id, 'reporter', report.reporter);
  const decidedAt = now.toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const decided = await decideChildReport(trx, report.id, {
      status: 'confirmed',
      decided_at: decidedAt,
      decided_by: options.actor,
      decision_reason: null,
      outcome,
      subject_id: subjectId ?? null,
      // The child's address and the details described the child, whose data is now gone.
      child_email: null,
      details: null,
    });
    if (!decided) throw new VowError('conflict', `report ${report.id} was decided meanwhile`);
    await appendAudit(
      trx,
      { actor: options.actor, action: 'child-report.confirmed', target: `report:${report.id}`, data: { subject: subjectId ?? null, outcome } },
      now,
    );
    if (reporter !== undefined) await notifyReporter(ctx, trx, { to: reporter, stage: 'confirmed', reportId: report.id, now });
  });
  return { reportId: report.id, status: 'confirmed', decidedAt, outcome, heldCategories, recipientsNotified };
}

export async function dismissChildReport(ctx: VaultContext, options: { reportId: string; actor: string; reason: string; now?: Date }): Promise<ChildReportDecision> {
  const now = options.now ?? new Date();
  const reason = options.reason.trim();
  if (reason === '') throw new VowError('bad_request', 'a dismissal needs its reason', [{ path: 'reason', message: 'must not be empty' }]);
  const report = await openReport(ctx, options.reportId);
  const key = await childReportKey(ctx);
  const reporter = openReportField(key, report.id, 'reporter', report.reporter);
  const decidedAt = now.toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const decided = await decideChildReport(trx, report.id, {
      status: 'dismissed',
      decided_at: decidedAt,
      decided_by: options.actor,
      decision_reason: sealReportField(key, report.id, 'decision_reason', reason),
      outcome: null,
      subject_id: report.subject_id,
      child_email: report.child_email,
      details: report.details,
    });
    if (!decided) throw new VowError('conflict', `report ${report.id} was decided meanwhile`);
    await appendAudit(trx, { actor: options.actor, action: 'child-report.dismissed', target: `report:${report.id}`, data: {} }, now);
    if (reporter !== undefined) await notifyReporter(ctx, trx, { to: reporter, stage: 'dismissed', reportId: report.id, now });
  });
  return { reportId: report.id, status: 'dismissed', decidedAt, outcome: null, heldCategories: [], recipientsNotified: [] };
}
