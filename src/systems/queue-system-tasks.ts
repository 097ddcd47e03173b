/**
 * Queues a request's share in each declared system, in the transaction that carries out
 * Vow's own share: the identity values that find the subject elsewhere are sealed on each
 * task here, before an erasure destroys the subject's key and with it every way back.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Declaration } from '../policy/declaration.js';
import { isSqlSystem, type DeclaredSystem } from '../policy/declared-system.js';
import type { Database } from '../store/schema.js';
import { open, seal } from '../vault/aes-gcm.js';
import { declaredCall } from './call-service.js';
import type { SystemTaskAction, SystemTaskInput, SystemTaskRow } from './system-task.js';
import { insertSystemTasks } from './system-task.repository.js';

/** The systems a request's action reaches: every one for access and erasure; for a correction, those holding a corrected field. */
export function systemsReached(declaration: Declaration, action: SystemTaskAction, corrected: Record<string, string> = {}): DeclaredSystem[] {
  const systems = declaration.systems ?? [];
  if (action !== 'correction') return systems;
  const holds = (category: string, field: string) => corrected[`${category}.${field}`] !== undefined;
  return systems.filter((system) =>
    isSqlSystem(system) ? system.tables.some((table) => table.fields.some((field) => holds(field.category, field.field))) : system.fields.some((field) => holds(field.category, field.field)),
  );
}

export async function queueSystemTasks(
  trx: Kysely<Database>,
  options: { requestId: string; action: SystemTaskAction; systems: readonly DeclaredSystem[]; input: SystemTaskInput; sealingKey: Buffer; now: Date },
): Promise<SystemTaskRow[]> {
  const at = options.now.toISOString();
  const rows = options.systems.map((system): SystemTaskRow => {
    const id = `stk_${randomBytes(16).toString('base64url')}`;
    // Databases and declared API calls Vow makes itself; a service without the call, and a manual place, are staff's to confirm.
    const byVow = isSqlSystem(system) || (system.engine === 'http' && declaredCall(system, options.action) !== undefined);
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
