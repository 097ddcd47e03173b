/** What the reporter of a child's data is told: that the report arrived, and how the review ended — never whether the child was known. */
import type { Kysely } from 'kysely';
import { enqueueMessage } from '../outbox/outbox.js';
import type { Database } from '../store/schema.js';
import type { VaultContext } from '../vault/vault-context.js';

export type ReporterNotice = 'received' | 'confirmed' | 'dismissed';

export function reporterNoticeText(ctx: VaultContext, stage: ReporterNotice, reportId: string): { subject: string; text: string } {
  const org = ctx.declaration.organization;
  const reference = `Reference: ${reportId}`;
  switch (stage) {
    case 'received':
      return {
        subject: `${org.shortName}: we received your report about a child's personal information`,
        text: `Thank you for telling us. ${org.shortName} does not knowingly collect personal information from children under ${ctx.declaration.minimumAge}. We will review your report and write to you when the review is complete.\n\n${reference}\nQuestions: ${org.contactEmail}\n`,
      };
    case 'confirmed':
      return {
        subject: `${org.shortName}: your report about a child has been acted on`,
        text: `We reviewed your report. Any personal information we held about the child it describes has been deleted, and those we had shared it with have been told to delete it too.\n\n${reference}\nQuestions: ${org.contactEmail}\n`,
      };
    case 'dismissed':
      return {
        subject: `${org.shortName}: your report about a child has been reviewed`,
        text: `We reviewed your report and closed it without deleting data. If you have more information, reply to ${org.contactEmail} and we will look again.\n\n${reference}\n`,
      };
  }
}

export async function notifyReporter(
  ctx: VaultContext,
  db: Kysely<Database>,
  options: { to: string; stage: ReporterNotice; reportId: string; now: Date },
): Promise<string> {
  const { subject, text } = reporterNoticeText(ctx, options.stage, options.reportId);
  return enqueueMessage(ctx, db, { to: options.to, subject, text, kind: 'child-report' }, options.now);
}
