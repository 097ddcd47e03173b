/** `vow request …`: file and work data-subject requests from the operator's terminal. Mail is queued; the server sends it. */
import type { Config } from '../config.js';
import { VowError } from '../errors.js';
import { approveRequest } from '../requests/approve-request.js';
import { completeRequest } from '../requests/complete-request.js';
import { confirmSystemTask } from '../requests/confirm-system-task.js';
import { denyRequest } from '../requests/deny-request.js';
import { extendRequest } from '../requests/extend-request.js';
import { fileRequest } from '../requests/file-request.js';
import { listDataSubjectRequests, showDataSubjectRequest, type ListedRequest } from '../requests/read-requests.js';
import type { RequestKind } from '../requests/request.js';
import type { Io } from './io.js';
import { withVault } from './with-vault.js';

export interface RequestFileOptions {
  kind: RequestKind;
  email?: string;
  subject?: string;
  details?: string;
  jurisdiction?: string;
  set?: string[];
  verification?: string;
}

/** `field=value` pairs, as `--set` gives them. */
export function parseCorrections(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const corrections: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw new VowError('bad_request', '--set takes field=value');
    corrections[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return corrections;
}

export function requestFileCommand(config: Config, io: Io, options: RequestFileOptions): Promise<number> {
  return withVault(config, io, async (vault) => {
    const corrections = parseCorrections(options.set);
    const staff = options.subject !== undefined || options.verification !== undefined;
    const filed = await fileRequest(vault, {
      kind: options.kind,
      ...(options.email !== undefined ? { email: options.email } : {}),
      ...(options.details !== undefined ? { details: options.details } : {}),
      ...(options.jurisdiction !== undefined ? { jurisdiction: options.jurisdiction } : {}),
      ...(corrections ? { corrections } : {}),
      ...(staff
        ? { staff: { verified: options.verification !== undefined, ...(options.subject ? { subjectId: options.subject } : {}), ...(options.verification ? { verification: options.verification } : {}) } }
        : {}),
      actor: 'cli',
    });
    io.out(`${filed.id} ${filed.kind} ${filed.status}${filed.status === 'unverified' ? ' (a code was queued for the address)' : ''}`);
    return 0;
  });
}

const line = (request: ListedRequest) =>
  [
    request.id,
    request.kind.padEnd(10),
    request.status.padEnd(10),
    request.jurisdiction,
    `due ${request.dueAt.slice(0, 10)}`,
    request.overdue ? `OVERDUE by ${-request.daysLeft} days` : request.nearDue ? `due in ${request.daysLeft} days` : '',
    request.outcome ?? '',
  ]
    .filter((part) => part !== '')
    .join('  ');

export function requestListCommand(config: Config, io: Io, options: { due?: boolean }): Promise<number> {
  return withVault(config, io, async (vault) => {
    const requests = await listDataSubjectRequests(vault, { due: options.due === true });
    if (requests.length === 0) io.out(options.due ? 'no requests near or past their deadline' : 'no requests');
    for (const request of requests) io.out(line(request));
    return 0;
  });
}

export function requestShowCommand(config: Config, io: Io, id: string): Promise<number> {
  return withVault(config, io, async (vault) => {
    const request = await showDataSubjectRequest(vault, id);
    io.out(line(request));
    io.out(`received ${request.receivedAt}  filed by ${request.filedBy}  subject ${request.subjectId ?? '(no known subject)'}`);
    if (request.verifiedAt) io.out(`verified ${request.verifiedAt} (${request.verification ?? ''})`);
    if (request.email !== undefined) io.out(`e-mail: ${request.email}`);
    if (request.details !== undefined) io.out(`details: ${request.details}`);
    if (request.corrections) io.out(`corrections: ${JSON.stringify(request.corrections)}`);
    for (const event of request.events) {
      io.out(`  ${event.at}  ${event.type.padEnd(17)} ${event.actor}  ${JSON.stringify(event.data)}${event.note !== undefined ? `  "${event.note}"` : ''}`);
    }
    if (request.tasks.length > 0) io.out('tasks in the declared systems:');
    for (const task of request.tasks) {
      const retry = task.status === 'failed' && task.nextAttemptAt ? `; retried at ${task.nextAttemptAt}` : '';
      io.out(`  ${task.id}  ${task.system} ${task.action}: ${task.status}${task.late ? ' (running late)' : ''}${task.lastError ? ` (${task.lastError}${retry})` : ''}${task.doneBy ? ` by ${task.doneBy}` : ''}`);
    }
    return 0;
  });
}

export function requestApproveCommand(config: Config, io: Io, id: string, options: { verification: string }): Promise<number> {
  return withVault(config, io, async (vault) => {
    const result = await approveRequest(vault, { requestId: id, actor: 'cli', verification: options.verification });
    io.out(`${result.id} ${result.status}`);
    return 0;
  });
}

export function requestDenyCommand(config: Config, io: Io, id: string, options: { reason: string }): Promise<number> {
  return withVault(config, io, async (vault) => {
    const result = await denyRequest(vault, { requestId: id, actor: 'cli', reason: options.reason });
    io.out(`${result.id} denied${result.notified ? '; the requester is told (queued)' : ''}`);
    return 0;
  });
}

export function requestExtendCommand(config: Config, io: Io, id: string, options: { reason: string }): Promise<number> {
  return withVault(config, io, async (vault) => {
    const result = await extendRequest(vault, { requestId: id, actor: 'cli', reason: options.reason });
    io.out(`${result.id} now due ${result.dueAt.slice(0, 10)}${result.notified ? '; the requester is told (queued)' : ''}`);
    return 0;
  });
}

export function requestCompleteCommand(config: Config, io: Io, id: string, options: { answer?: string; set?: string[] }): Promise<number> {
  return withVault(config, io, async (vault) => {
    const corrections = parseCorrections(options.set);
    const result = await completeRequest(vault, {
      requestId: id,
      actor: 'cli',
      ...(options.answer !== undefined ? { answer: options.answer } : {}),
      ...(corrections ? { corrections } : {}),
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    });
    const extras = [
      result.fields ? `fields: ${result.fields.join(', ')}` : '',
      result.heldCategories && result.heldCategories.length > 0 ? `held: ${result.heldCategories.join(', ')}` : '',
      result.recipientsNotified && result.recipientsNotified.length > 0 ? `recipients notified: ${result.recipientsNotified.join(', ')}` : '',
      result.exportPath ? 'download link queued for the requester' : '',
    ].filter((part) => part !== '');
    if (result.status === 'waiting') {
      io.out(`${result.id} waiting on ${result.tasks ?? 0} declared system(s): a running server carries out their tasks (vow request show ${result.id})`);
    } else {
      io.out(`${result.id} completed: ${result.outcome ?? ''}${extras.length > 0 ? `; ${extras.join('; ')}` : ''}`);
    }
    return 0;
  });
}

export function requestTaskDoneCommand(config: Config, io: Io, id: string, taskId: string, options: { reason: string }): Promise<number> {
  return withVault(config, io, async (vault) => {
    const result = await confirmSystemTask(vault, { requestId: id, taskId, actor: 'cli', reason: options.reason });
    io.out(`${result.id} done${result.requestCompleted ? `; request ${id} completed, the requester is told (queued)` : ''}`);
    return 0;
  });
}
