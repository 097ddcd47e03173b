/**
 * Completes a verified request, doing what it asks: access → the export, downloadable
 * once by the requester through an expiring link; correction → the corrected account
 * fields, and the recipients told; deletion → the erasure (the address read first, so
 * the notice still reaches the requester); opt-out → no sale or sharing; question → the
 * staff's answer. The requester is sent a completion notice. For an address Vow does not
 * know, the notice says that no data is held.
 */
import type { Kysely } from 'kysely';
import { eraseSubject } from '../erasure/erase-subject.js';
import { VowError } from '../errors.js';
import { exportSubject } from '../export/export-subject.js';
import { enqueueMessage } from '../outbox/outbox.js';
import { listWords } from '../policy/policy-document-words.js';
import type { Database } from '../store/schema.js';
import { seal } from '../vault/aes-gcm.js';
import { openSubject } from '../vault/subject-store.js';
import { correctAccount } from '../vault/correct-account.js';
import type { VaultContext } from '../vault/vault-context.js';
import { loadRequest, type LoadedRequest } from './load-request.js';
import { hashSecret, newToken } from './request-keys.js';
import { logRequestEvent } from './request-log.js';
import { aboutSubject, completionMessage } from './request-messages.js';
import type { RequestKind, RequestOutcome } from './request.js';
import { saveExport, updateRequest } from './request.repository.js';
import { setSaleOptOut } from './sale-opt-out.js';

/** How long the requester's download link works. */
export const EXPORT_LINK_DAYS = 7;

export interface CompleteRequestOptions {
  requestId: string;
  actor: string;
  /** The answer to a question (required for questions). */
  answer?: string;
  /** Corrected fields, replacing those the requester gave. */
  corrections?: Record<string, string>;
  /** The server's public origin, so that the mailed download link is whole (config.publicUrl). */
  publicUrl?: string;
  now?: Date;
}

export interface CompletedRequest {
  id: string;
  status: 'completed';
  outcome: RequestOutcome;
  notified: boolean;
  /** For an access request: the requester's download path (the token is shown here once, and mailed). */
  exportPath?: string;
  /** For a correction: the fields changed; for a deletion: the categories a legal hold kept. */
  fields?: string[];
  heldCategories?: string[];
  recipientsNotified?: string[];
}

type Finish = (trx: Kysely<Database>) => Promise<void>;

interface Outcome {
  outcome: RequestOutcome;
  body: string[];
  details: Record<string, string | number | boolean | null>;
  result: Partial<CompletedRequest>;
  /** Writes belonging to the completion's transaction. */
  finish?: Finish;
}

export async function completeRequest(ctx: VaultContext, options: CompleteRequestOptions): Promise<CompletedRequest> {
  const now = options.now ?? new Date();
  const loaded = await loadRequest(ctx, options.requestId, ['open']);
  const { row, contact } = loaded;
  const kind = row.kind as RequestKind;
  if (kind === 'question' && !options.answer?.trim()) throw new VowError('bad_request', 'a question needs an answer', [{ path: 'answer', message: 'is required' }]);

  const done = await carryOut(ctx, loaded, options, now);
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await updateRequest(trx, row.id, ['open'], { status: 'completed', outcome: done.outcome, closed_at: now.toISOString() }))) {
      throw new VowError('conflict', `request ${row.id} was closed meanwhile`);
    }
    await done.finish?.(trx);
    await logRequestEvent(trx, { requestId: row.id, type: 'completed', actor: options.actor, data: { outcome: done.outcome, ...done.details } }, now);
    if (contact !== undefined) {
      await enqueueMessage(ctx, trx, { ...completionMessage(ctx.declaration, { requestId: row.id, kind, body: done.body }), to: contact, ...aboutSubject(row.subject_id) }, now);
    }
  });
  return { id: row.id, status: 'completed', outcome: done.outcome, notified: contact !== undefined, ...done.result };
}

const noData: Outcome = {
  outcome: 'no-data',
  body: ['We hold no personal information associated with the address you gave.'],
  details: {},
  result: {},
};

async function carryOut(ctx: VaultContext, loaded: LoadedRequest, options: CompleteRequestOptions, now: Date): Promise<Outcome> {
  const { row, data, keys } = loaded;
  const subjectId = row.subject_id;
  switch (row.kind as RequestKind) {
    case 'question': {
      const answer = options.answer?.trim() ?? '';
      return { outcome: 'answered', body: [answer], details: {}, result: {} };
    }
    case 'opt-out': {
      if (subjectId === null) return noData;
      return {
        outcome: 'opted-out',
        body: ['We will not sell or share your personal information from now on.'],
        details: {},
        result: {},
        finish: (trx) => setSaleOptOut(ctx, trx, { subjectId, optedOut: true, reason: 'request', actor: options.actor, now }),
      };
    }
    case 'access': {
      if (subjectId === null) return noData;
      const exported = await exportSubject(ctx, { subjectId, actor: options.actor, now });
      const subject = await openSubject(ctx, ctx.db, subjectId);
      if (!subject) return noData;
      const token = newToken();
      const path = `/v1/requests/${row.id}/export?token=${token}`;
      const expiresAt = new Date(now.getTime() + EXPORT_LINK_DAYS * 24 * 60 * 60 * 1000);
      return {
        outcome: 'exported',
        body: [
          `Your personal information is ready to download, as a zip archive (${exported.files.length} files, with a summary), from:`,
          '',
          `  ${options.publicUrl ?? ''}${path}`,
          '',
          `${options.publicUrl ? 'The' : 'on our site. The'} link works once and until ${expiresAt.toISOString().slice(0, 10)}.`,
        ],
        details: { files: exported.files.length },
        result: { exportPath: path },
        finish: (trx) =>
          saveExport(trx, {
            request_id: row.id,
            subject_id: subjectId,
            data: seal(subject.dataKey, Buffer.from(exported.zip), `request-export\0${row.id}`),
            files: JSON.stringify(exported.files),
            token_hash: hashSecret(keys.hashing, row.id, token),
            created_at: now.toISOString(),
            expires_at: expiresAt.toISOString(),
            used_at: null,
          }),
      };
    }
    case 'correction': {
      if (subjectId === null) return noData;
      const corrections = options.corrections ?? (data.corrections === undefined ? undefined : (JSON.parse(data.corrections) as Record<string, string>));
      if (!corrections || Object.keys(corrections).length === 0) throw new VowError('bad_request', 'no corrections to apply', [{ path: 'corrections', message: 'is required' }]);
      // The recipients' notices commit with the correction itself, never one without the other.
      const { updated, notices } = await correctAccount(ctx, { subjectId, fields: corrections, actor: options.actor, now });
      const recipientsNotified = notices.recipients;
      return {
        outcome: 'corrected',
        body: [`We corrected: ${updated.join(', ')}.`, ...whoIsTold(ctx, notices.recipients, notices.toldByStaff, 'of the correction')],
        details: { fields: updated.join(',') },
        result: { fields: updated, recipientsNotified },
      };
    }
    case 'deletion': {
      if (subjectId === null) return noData;
      let outcome;
      try {
        outcome = await eraseSubject(ctx, { subjectId, actor: options.actor, reason: 'request', requestId: row.id, now });
      } catch (error) {
        // Erased meanwhile (another request, retention): what was asked is done.
        if (error instanceof VowError && error.code === 'not_found') return { outcome: 'erased', body: ['We deleted your personal information.'], details: {}, result: {} };
        throw error;
      }
      const held = outcome.heldCategories;
      return {
        outcome: outcome.erased ? (held.length > 0 ? 'held' : 'erased') : 'held',
        body: [
          outcome.erased ? 'We deleted your personal information.' : 'We could not delete your personal information yet.',
          ...(held.length > 0 ? [`We must keep some of it for a legal obligation (${held.join(', ')}); it is deleted when the obligation ends.`] : []),
          ...whoIsTold(ctx, outcome.recipientsNotified, outcome.recipientsToldByStaff, 'to delete it'),
        ],
        details: { held: held.join(','), recipients: outcome.recipientsNotified.length },
        result: { heldCategories: held, recipientsNotified: outcome.recipientsNotified },
      };
    }
  }
}

/** The sentences of the person's mail that say who was told, by name, and who will be. */
function whoIsTold(ctx: VaultContext, told: readonly string[], byStaff: readonly string[], what: string): string[] {
  const names = (ids: readonly string[]) => listWords(ids.map((id) => ctx.declaration.recipients.find((recipient) => recipient.id === id)?.name ?? id));
  return [
    ...(told.length > 0 ? [`We have told ${names(told)}, who received your information from us, ${what}.`] : []),
    ...(byStaff.length > 0 ? [`Our staff will tell ${names(byStaff)}, who also received it, ${what}.`] : []),
  ];
}
