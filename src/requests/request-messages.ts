/** The e-mails a requester receives, and the reminders staff receive: plain text, no personal data beyond what the reader already knows. */
import type { Declaration } from '../policy/declaration.js';
import type { OutgoingMessage } from '../outbox/outbox.js';
import { extensionWords, type Jurisdiction } from './deadlines.js';
import type { RequestKind } from './request.js';

const kindWords: Record<RequestKind, string> = {
  access: 'a copy of your personal information',
  correction: 'the correction of your personal information',
  deletion: 'the deletion of your personal information',
  'opt-out': 'to opt out of the sale or sharing of your personal information',
  question: 'an answer to your question about your personal information',
};

const day = (iso: string) => iso.slice(0, 10);

type Message = Omit<OutgoingMessage, 'to' | 'subjectId'>;

/**
 * Tags a message with the subject it concerns, when one is known, so that erasing the
 * subject also deletes its pending and sent messages: they hold its address sealed under
 * the outbox key, which erasure does not destroy.
 */
export function aboutSubject(subjectId: string | null | undefined): { subjectId?: string } {
  return subjectId ? { subjectId } : {};
}

function signed(declaration: Declaration, lines: string[]): string {
  return [...lines, '', declaration.organization.name, declaration.organization.contactEmail, ''].join('\n');
}

export function verificationMessage(declaration: Declaration, options: { requestId: string; kind: RequestKind; code: string; hours: number }): Message {
  return {
    kind: 'verification-code',
    subject: `${declaration.organization.shortName}: your verification code`,
    text: signed(declaration, [
      `We received a request for ${kindWords[options.kind]} (reference ${options.requestId}).`,
      '',
      `To confirm that it comes from you, enter this code: ${options.code}`,
      `The code is valid for ${options.hours} hours and can be used once.`,
      '',
      'If you did not make this request, ignore this message: nothing will happen.',
    ]),
  };
}

export function acknowledgementMessage(
  declaration: Declaration,
  options: { requestId: string; kind: RequestKind; receivedAt: string; dueAt: string; jurisdiction: Jurisdiction },
): Message {
  return {
    kind: 'acknowledgement',
    subject: `${declaration.organization.shortName}: we received your request`,
    text: signed(declaration, [
      `We received your request for ${kindWords[options.kind]} on ${day(options.receivedAt)} (reference ${options.requestId}).`,
      `We will answer by ${day(options.dueAt)}. If we need more time, we will tell you why before then; the law lets us extend ${extensionWords(options.jurisdiction)}.`,
      'If we must confirm your identity first, a separate message contains a code.',
    ]),
  };
}

export function extensionMessage(declaration: Declaration, options: { requestId: string; kind: RequestKind; dueAt: string; reason: string }): Message {
  return {
    kind: 'extension',
    subject: `${declaration.organization.shortName}: we need more time for your request`,
    text: signed(declaration, [
      `We need more time to answer your request for ${kindWords[options.kind]} (reference ${options.requestId}).`,
      `Reason: ${options.reason}`,
      `We will answer by ${day(options.dueAt)}.`,
    ]),
  };
}

export function completionMessage(declaration: Declaration, options: { requestId: string; kind: RequestKind; body: string[] }): Message {
  return {
    kind: 'completion',
    subject: `${declaration.organization.shortName}: your request is complete`,
    text: signed(declaration, [`Your request for ${kindWords[options.kind]} (reference ${options.requestId}) is complete.`, '', ...options.body]),
  };
}

export function denialMessage(declaration: Declaration, options: { requestId: string; kind: RequestKind; reason: string }): Message {
  return {
    kind: 'completion',
    subject: `${declaration.organization.shortName}: we cannot act on your request`,
    text: signed(declaration, [
      `We cannot act on your request for ${kindWords[options.kind]} (reference ${options.requestId}).`,
      `Reason: ${options.reason}`,
      '',
      'You may lodge a complaint with a supervisory authority.',
    ]),
  };
}

const stuckWords: Readonly<Record<string, string>> = { failed: 'failed, retried', 'waiting-for-staff': 'waiting for staff', late: 'running late' };

export function reminderMessage(
  declaration: Declaration,
  options: { requestId: string; kind: RequestKind; dueAt: string; overdue: boolean; nearDue?: boolean; stuck?: readonly { system: string; status: string }[] },
): Message {
  const stuck = options.stuck ?? [];
  const state = options.overdue ? 'OVERDUE' : options.nearDue === false ? 'stuck in a system' : 'due soon';
  return {
    kind: 'reminder',
    subject: `Vow: request ${options.requestId} is ${state}`,
    text: [
      `The ${options.kind} request ${options.requestId} ${options.overdue ? 'was' : 'is'} due on ${day(options.dueAt)}.`,
      ...(stuck.length > 0 ? [`It waits on: ${stuck.map((task) => `${task.system} (${stuckWords[task.status] ?? task.status})`).join(', ')}.`] : []),
      `See it with: vow request show ${options.requestId}`,
      '',
    ].join('\n'),
  };
}

