/**
 * What staff see of requests and mail. A request's contents (the requester's address,
 * details and corrections) and the outbox's messages are personal data handled to meet
 * the law's obligations: shown only to keys that may read for the declared purpose of
 * legal compliance, and each such read is audited like a read of a subject's data. A
 * mail's secrets (a verification code, an export link's token) are shown only while the
 * mail waits to be sent by hand; once it has gone, no one needs them and no one sees them.
 */
import { appendAudit } from '../audit/append-audit.js';
import { VowError } from '../errors.js';
import type { Declaration } from '../policy/declaration.js';
import type { OutboxMessage } from '../outbox/outbox.js';
import type { VaultContext } from '../vault/vault-context.js';
import type { RequestDetails } from './read-requests.js';

/** The declared purpose request handling serves: the first whose legal basis is a legal obligation. */
export function requestHandlingPurpose(declaration: Pick<Declaration, 'purposes'>): string | undefined {
  return declaration.purposes.find((purpose) => purpose.legalBasis === 'legal-obligation')?.id;
}

/** Whether a key that may read for these purposes may read request contents and mail. */
export function coversRequestHandling(declaration: Pick<Declaration, 'purposes'>, mayReadFor: (purpose: string) => boolean): boolean {
  const purpose = requestHandlingPurpose(declaration);
  return purpose !== undefined && mayReadFor(purpose);
}

/** Records a read of request contents or mail, as reads of a subject's data are recorded. */
export async function auditStaffRead(ctx: VaultContext, options: { actor: string; target: string; what: string; now?: Date }): Promise<void> {
  await appendAudit(ctx.db, { actor: options.actor, action: 'staff.read', target: options.target, data: { what: options.what, purpose: requestHandlingPurpose(ctx.declaration) ?? null } }, options.now);
}

/** The refusal of a key that does not cover request handling. */
export function notForThisKey(declaration: Pick<Declaration, 'purposes'>, what: string): VowError {
  return new VowError('forbidden', `reading ${what} needs a key issued for the purpose of ${requestHandlingPurpose(declaration) ?? 'legal compliance'} (rule: key-purpose)`);
}

/** A request as staff without the handling purpose see it: its state, dates and log, none of what the requester wrote. */
export function withoutContents(shown: RequestDetails): RequestDetails {
  const withheld: RequestDetails = { ...shown, events: shown.events.map((event) => ({ at: event.at, type: event.type, actor: event.actor, data: event.data })) };
  delete withheld.email;
  delete withheld.details;
  delete withheld.corrections;
  return withheld;
}

const secretPatterns: readonly RegExp[] = [/(enter this code: )\d+/g, /(export\?token=)[A-Za-z0-9_-]+/g];

/** A sent message's one-time secrets masked: a code or token that has gone out is nobody's business here. */
export function maskSentSecrets(message: OutboxMessage): OutboxMessage {
  if (message.status !== 'sent') return message;
  return { ...message, text: secretPatterns.reduce((text, pattern) => text.replace(pattern, '$1[sent; not shown]'), message.text) };
}
