import type { Config } from '../config.js';
import { confirmChildReport, dismissChildReport, type ChildReportDecision } from '../children/decide-child-report.js';
import { listReports, type ReportStatus } from '../children/read-child-reports.js';
import type { Io } from './io.js';
import { withVault } from './with-vault.js';

/** Reports about children, newest first; contents stay sealed (read them with GET /v1/reports/:id, audited). */
export function reportsListCommand(config: Config, io: Io, options: { status?: ReportStatus }): Promise<number> {
  return withVault(config, io, async (vault) => {
    const reports = await listReports(vault, options.status ? { status: options.status } : {});
    if (reports.length === 0) io.out('no reports');
    for (const report of reports) {
      io.out(`${report.id}  ${report.status.padEnd(9)}  ${report.createdAt}  ${report.subjectId ?? '(no known subject)'}${report.outcome ? `  ${report.outcome}` : ''}`);
    }
    return 0;
  });
}

const describe = (decision: ChildReportDecision) =>
  `${decision.reportId} ${decision.status}${decision.outcome ? `: ${decision.outcome}` : ''}${decision.recipientsNotified.length > 0 ? `; recipients notified: ${decision.recipientsNotified.join(', ')}` : ''}`;

export function reportsConfirmCommand(config: Config, io: Io, reportId: string, options: { subject?: string }): Promise<number> {
  return withVault(config, io, async (vault) => {
    io.out(describe(await confirmChildReport(vault, { reportId, actor: 'cli', ...(options.subject ? { subjectId: options.subject } : {}) })));
    return 0;
  });
}

export function reportsDismissCommand(config: Config, io: Io, reportId: string, options: { reason: string }): Promise<number> {
  return withVault(config, io, async (vault) => {
    io.out(describe(await dismissChildReport(vault, { reportId, actor: 'cli', reason: options.reason })));
    return 0;
  });
}
