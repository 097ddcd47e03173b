/**
 * Queues a request's share in each declared system, in the transaction that carries out
 * Vow's own share: the identity values that find the subject elsewhere are sealed on each
 * task here, before an erasure destroys the subject's key and with it every way back.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DeclaredSystem } from '../policy/declared-system.js';
import type { Database } from '../store/schema.js';
import { open, seal } from '../vault/aes-gcm.js';
import type { SystemTaskAction, SystemTaskInput, SystemTaskRow } from './system-task.js';
import { insertSystemTasks } from './system-task.repository.js';

export async function queueSystemTasks(
  trx: Kysely<Database>,
  options: {
    requestId: string;
    action: SystemTaskAction;
    /** From `systemsReached` (subject-data/data-places.ts): whether Vow runs each task or staff do. */
    systems: readonly { system: DeclaredSystem; reach: 'by-vow' | 'by-staff' }[];
    input: SystemTaskInput;
    sealingKey: Buffer;
    now: Date;
  },
): Promise<SystemTaskRow[]> {
  const at = options.now.toISOString();
  const rows = options.systems.map(({ system, reach }): SystemTaskRow => {
    const id = `stk_${randomBytes(16).toString('base64url')}`;
    const byVow = reach === 'by-vow';
    return {
      id,
      request_id: options.requestId,
      system_id: system.id,
      action: options.action,
      status: byVow ? 'pending' : 'waiting-for-staff',
      attempts: 0,
      next_attempt_at: byVow ? at : null,
      lease_until: null,
      last_error: null,
      input: sealTaskInput(options.sealingKey, id, options.input),
      result: null,
      done_by: null,
      done_reason: null,
      created_at: at,
      done_at: null,
    };
  });
  await insertSystemTasks(trx, rows);
  return rows;
}

export function sealTaskInput(key: Buffer, taskId: string, input: SystemTaskInput): string {
  return seal(key, Buffer.from(JSON.stringify(input), 'utf8'), `system-task\0${taskId}`);
}

export function openTaskInput(key: Buffer, taskId: string, sealed: string): SystemTaskInput {
  return JSON.parse(open(key, sealed, `system-task\0${taskId}`).toString('utf8')) as SystemTaskInput;
}

export function sealTaskResult(key: Buffer, taskId: string, result: unknown): string {
  return seal(key, Buffer.from(JSON.stringify(result), 'utf8'), `system-task-result\0${taskId}`);
}

export function openTaskResult(key: Buffer, taskId: string, sealed: string): unknown {
  return JSON.parse(open(key, sealed, `system-task-result\0${taskId}`).toString('utf8')) as unknown;
}
