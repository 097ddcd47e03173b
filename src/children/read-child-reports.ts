/** Reports about children, opened for the staff who review them; every read of their contents is audited. */
import { appendAudit } from '../audit/append-audit.js';
import { VowError } from '../errors.js';
import type { VaultContext } from '../vault/vault-context.js';
import { childReportKey, openReportField } from './child-report-cipher.js';
import { findChildReport, listChildReports, type ChildReportRow } from './child-report.repository.js';

export const reportStatuses = ['open', 'confirming', 'confirmed', 'dismissed'] as const;
export type ReportStatus = (typeof reportStatuses)[number];

export interface ChildReportSummary {
  id: string;
  status: ReportStatus;
  /** Whether the report names a subject Vow holds (staff only: the public answer never says). */
  subjectId: string | null;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  outcome: string | null;
}

export interface ChildReportDetail extends ChildReportSummary {
  reporterEmail: string | null;
  childEmail: string | null;
  details: string | null;
  decisionReason: string | null;
}

function summarize(row: ChildReportRow): ChildReportSummary {
  return {
    id: row.id,
    status: row.status as ReportStatus,
    subjectId: row.subject_id,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    outcome: row.outcome,
  };
}

export async function listReports(ctx: VaultContext, options: { status?: ReportStatus; limit?: number } = {}): Promise<ChildReportSummary[]> {
  const rows = await listChildReports(ctx.db, { ...(options.status ? { status: options.status } : {}), limit: options.limit ?? 100 });
  return rows.map(summarize);
}

export async function readReport(ctx: VaultContext, options: { reportId: string; actor: string; now?: Date }): Promise<ChildReportDetail> {
  const row = await findChildReport(ctx.db, options.reportId);
  if (!row) throw new VowError('not_found', `no report ${options.reportId}`);
  const key = await childReportKey(ctx);
  await ctx.db.transaction().execute((trx) => appendAudit(trx, { actor: options.actor, action: 'child-report.read', target: `report:${row.id}` }, options.now));
  return {
    ...summarize(row),
    reporterEmail: openReportField(key, row.id, 'reporter', row.reporter) ?? null,
    childEmail: openReportField(key, row.id, 'child_email', row.child_email) ?? null,
    details: openReportField(key, row.id, 'details', row.details) ?? null,
    decisionReason: openReportField(key, row.id, 'decision_reason', row.decision_reason) ?? null,
  };
}
