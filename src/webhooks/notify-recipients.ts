/**
 * Telling recipients that a subject's data changed (GDPR art. 19): one signed delivery
 * per registered endpoint of every recipient that received the subject's data, and a task
 * for staff for each such recipient with no endpoint. Who received it: every recipient
 * the accounting of disclosures names, and every service provider and affiliate the
 * declaration has receiving a category the subject has data in, since those hold it as
 * part of running the Services without a disclosure being recorded each time. Acquirers,
 * authorities, other users and recipients treated as sale or sharing receive only what a
 * recorded disclosure says. The
 * body holds the pseudonymous id, the disclosures and, for a correction, the names of the
 * corrected fields: never their values, never personal data.
 */
import type { Kysely } from 'kysely';
import type { Recipient } from '../policy/declaration.js';
import type { Database } from '../store/schema.js';
import type { VaultContext } from '../vault/vault-context.js';
import { queueRecipientTask } from './recipient-tasks.js';
import { activeEndpointsOf, categoriesOfSubject, insertDelivery, recipientsOfSubject } from './webhook.repository.js';
import { newWebhookId } from './webhook-ids.js';

export type WebhookEvent = 'erasure' | 'correction';

/** Recipients that hold what the declaration has them receive, disclosure recorded or not. */
const standingKinds: ReadonlySet<Recipient['kind']> = new Set(['service-provider', 'affiliate']);

export interface WebhookBody {
  event: WebhookEvent;
  subjectId: string;
  recipient: string;
  at: string;
  disclosures: string[];
  fields?: string[];
}

/**
 * Queues the deliveries inside `db` (a transaction, usually the one making the change)
 * and returns the recipients queued. Sending happens after commit: by the scheduled job,
 * or sooner when the caller passes the ids from `queueNotices` to `kickDeliveries`.
 */
export async function notifyRecipients(
  ctx: VaultContext,
  db: Kysely<Database>,
  options: { subjectId: string; event: WebhookEvent; fields?: string[]; now?: Date },
): Promise<string[]> {
  return (await queueNotices(ctx, db, options)).recipients;
}

export interface QueuedNotices {
  /** Recipients told by webhook. */
  recipients: string[];
  /** Recipients without a webhook: staff tell them (a recipient task each). */
  toldByStaff: string[];
  deliveryIds: string[];
}

/** As `notifyRecipients`, also returning the staff tasks and the deliveries queued, for `kickDeliveries` once the transaction commits. */
export async function queueNotices(
  ctx: VaultContext,
  db: Kysely<Database>,
  options: {
    subjectId: string;
    event: WebhookEvent;
    fields?: string[];
    /** The categories changed (a correction's); every category the subject has data in when absent (an erasure). */
    categories?: readonly string[];
    /** The request whose completion makes the change: it waits for the staff's tasks. */
    requestId?: string;
    now?: Date;
  },
): Promise<QueuedNotices> {
  const at = (options.now ?? new Date()).toISOString();
  const recipients = await recipientsOfSubject(db, options.subjectId);
  const held = new Set(options.categories ?? (await categoriesOfSubject(db, options.subjectId)));
  for (const recipient of ctx.declaration.recipients) {
    // Those treated as sale or sharing get data only through cookies the person allowed, or a recorded disclosure.
    if (!standingKinds.has(recipient.kind) || recipient.treatedAs.length > 0 || recipients.has(recipient.id)) continue;
    if (recipient.receives.some((receipt) => receipt.categories.some((category) => held.has(category)))) recipients.set(recipient.id, []);
  }
  const endpoints = await activeEndpointsOf(db, [...recipients.keys()]);
  const queued = new Set<string>();
  const deliveryIds: string[] = [];
  for (const endpoint of endpoints) {
    const body: WebhookBody = {
      event: options.event,
      subjectId: options.subjectId,
      recipient: endpoint.recipient,
      at,
      disclosures: recipients.get(endpoint.recipient) ?? [],
      ...(options.event === 'correction' ? { fields: [...new Set(options.fields ?? [])].sort() } : {}),
    };
    const id = newWebhookId('whd');
    deliveryIds.push(id);
    await insertDelivery(db, {
      id,
      endpointId: endpoint.id,
      recipient: endpoint.recipient,
      subjectId: options.subjectId,
      event: options.event,
      body: JSON.stringify(body),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: at,
      createdAt: at,
      deliveredAt: null,
    });
    queued.add(endpoint.recipient);
  }
  const toldByStaff = [...recipients.keys()].filter((recipient) => !queued.has(recipient)).sort();
  const fields = options.event === 'correction' ? { fields: [...new Set(options.fields ?? [])].sort() } : {};
  for (const recipient of toldByStaff) {
    await queueRecipientTask(db, { recipient, subjectId: options.subjectId, event: options.event, disclosures: recipients.get(recipient) ?? [], ...fields, ...(options.requestId !== undefined ? { requestId: options.requestId } : {}), at });
  }
  return { recipients: [...queued].sort(), toldByStaff, deliveryIds };
}
