/**
 * The notices of a breach, drafted from templates: to the supervisory authority (GDPR
 * art. 33(3): the nature of the breach, the categories and numbers concerned, the contact
 * point, the likely consequences, the measures taken), which staff file through the
 * authority's own channel and then mark done; and to the people affected (art. 34(2)),
 * which Vow sends itself, through the outbox, once, to each address it still holds.
 */
import { appendAudit } from '../audit/append-audit.js';
import { VowError } from '../errors.js';
import { enqueueMessage } from '../outbox/outbox.js';
import { listWords } from '../policy/policy-document-words.js';
import { readContactAddress } from '../requests/contact-address.js';
import type { VaultContext } from '../vault/vault-context.js';
import { showBreach, subjectsOfBreach, type Breach } from './breach-register.js';

export interface NoticeDraft {
  subject: string;
  text: string;
}

const day = (iso: string) => iso.slice(0, 10);

export function draftNotices(ctx: VaultContext, breach: Breach): { authority: NoticeDraft; subjects: NoticeDraft } {
  const { organization } = ctx.declaration;
  const names = new Map(ctx.declaration.categories.map((category) => [category.id, category.name]));
  const categories = listWords(breach.categories.map((id) => names.get(id) ?? id));
  return {
    authority: {
      subject: `Personal data breach notification: ${organization.name} (${breach.id})`,
      text: [
        `${organization.name} notifies a personal data breach under Article 33 of the GDPR.`,
        '',
        `What happened: ${breach.description}`,
        `It began on ${day(breach.beganAt)} and was discovered on ${day(breach.discoveredAt)}.`,
        `Categories of personal data concerned: ${categories}.`,
        `People concerned: about ${breach.subjectCount}.`,
        `Likely consequences: ${breach.consequences}`,
        `Measures taken or proposed: ${breach.measures}`,
        `Contact point: ${organization.contactEmail}`,
        `Our reference: ${breach.id}`,
        '',
      ].join('\n'),
    },
    subjects: {
      subject: `${organization.shortName}: a security incident concerning your personal information`,
      text: [
        `We are writing to tell you about a security incident at ${organization.name} that concerns your personal information.`,
        '',
        `What happened: ${breach.description}`,
        `The information concerned: ${categories}.`,
        `What it may mean for you: ${breach.consequences}`,
        `What we have done: ${breach.measures}`,
        '',
        `If you have questions, write to ${organization.contactEmail} and mention ${breach.id}.`,
        '',
      ].join('\n'),
    },
  };
}

/**
 * Sends the people affected their notice, once: each address is read from the subject's
 * own records (none for a subject erased since, who is counted, not written to).
 */
export async function notifyBreachSubjects(ctx: VaultContext, options: { id: string; actor: string; now?: Date }): Promise<{ sent: number; unreachable: number }> {
  const now = options.now ?? new Date();
  const breach = await showBreach(ctx, options.id, now);
  if (breach.subjectsNotifiedAt !== null) throw new VowError('conflict', `the people affected by ${options.id} were already told, on ${breach.subjectsNotifiedAt}`);
  const draft = draftNotices(ctx, breach).subjects;
  const recipients: { subjectId: string; to: string }[] = [];
  let unreachable = 0;
  for (const subjectId of await subjectsOfBreach(ctx.db, options.id)) {
    const to = await readContactAddress(ctx, subjectId);
    if (to === undefined) unreachable += 1;
    else recipients.push({ subjectId, to });
  }
  await ctx.db.transaction().execute(async (trx) => {
    // The first to mark the breach sends; a second finds it marked and sends nothing.
    const marked = await trx.updateTable('breaches').set({ subjects_notified_at: now.toISOString() }).where('id', '=', options.id).where('subjects_notified_at', 'is', null).executeTakeFirst();
    if (marked.numUpdatedRows !== 1n) throw new VowError('conflict', `the people affected by ${options.id} were already told`);
    for (const recipient of recipients) await enqueueMessage(ctx, trx, { kind: 'breach-notice', subject: draft.subject, text: draft.text, to: recipient.to, subjectId: recipient.subjectId }, now);
    await appendAudit(trx, { actor: options.actor, action: 'breach.subjects-notified', target: `breach:${options.id}`, data: { sent: recipients.length, unreachable } }, now);
  });
  return { sent: recipients.length, unreachable };
}
