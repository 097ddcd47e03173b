/**
 * A report that a child under the minimum age provided data opens a review. The answer
 * is the same whether or not Vow knows the child: the report is taken, nothing revealed.
 */
import { randomBytes } from 'node:crypto';
import { appendAudit } from '../audit/append-audit.js';
import { VowError } from '../errors.js';
import { findSubjectByIdentifier } from '../vault/subject-store.js';
import { findSubject } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import { childReportKey, sealReportField } from './child-report-cipher.js';
import { insertChildReport } from './child-report.repository.js';
import { notifyReporter } from './notify-reporter.js';

export interface ReportChildOptions {
  reporterEmail?: string;
  childEmail?: string;
  subjectId?: string;
  details: string;
  now?: Date;
}

export const newReportId = (): string => `rep_${randomBytes(16).toString('base64url')}`;

export async function reportChild(ctx: VaultContext, options: ReportChildOptions): Promise<{ reportId: string }> {
  const details = options.details.trim();
  if (details === '') throw new VowError('bad_request', 'details must say what the report is about', [{ path: 'details', message: 'must not be empty' }]);
  if (options.childEmail === undefined && options.subjectId === undefined) {
    throw new VowError('bad_request', "name the child by e-mail address or subject id", [{ path: 'childEmail', message: 'give childEmail or subjectId' }]);
  }
  const now = options.now ?? new Date();
  const key = await childReportKey(ctx);
  const reportId = newReportId();
  const known =
    (options.subjectId !== undefined && (await findSubject(ctx.db, options.subjectId)) ? options.subjectId : undefined) ??
    (options.childEmail === undefined ? undefined : await findSubjectByIdentifier(ctx, ctx.db, { kind: 'email', value: options.childEmail }));
  await ctx.db.transaction().execute(async (trx) => {
    await insertChildReport(trx, {
      id: reportId,
      subject_id: known ?? null,
      status: 'open',
      reporter: sealReportField(key, reportId, 'reporter', options.reporterEmail),
      child_email: sealReportField(key, reportId, 'child_email', options.childEmail),
      details: sealReportField(key, reportId, 'details', details),
      created_at: now.toISOString(),
      decided_at: null,
      decided_by: null,
      decision_reason: null,
      outcome: null,
      claimed_at: null,
    });
    await appendAudit(trx, { actor: 'public', action: 'child-report.received', target: `report:${reportId}`, data: { subject: known ?? null } }, now);
    if (options.reporterEmail !== undefined) await notifyReporter(ctx, trx, { to: options.reporterEmail, stage: 'received', reportId, now });
  });
  return { reportId };
}
