/**
 * Runs the declared databases' tasks: each claimed under a lease by one process, carried
 * out in one transaction of that database, retried with backoff when it fails (the error
 * kept, on one line, for staff), and taken over by another process once the lease runs
 * out. Every operation is idempotent (an erasure run again finds nothing left), so a task
 * run twice, by a process that died after its work committed, does no harm.
 */
import { randomBytes } from 'node:crypto';
import type { ScheduledJob } from '../jobs/scheduler.js';
import { reached } from '../fault-points.js';
import { isSqlSystem } from '../policy/declared-system.js';
import { loadRequestKeys } from '../requests/request-keys.js';
import type { VaultContext } from '../vault/vault-context.js';
import { loadOrCreateVaultKey } from '../vault/vault-keys.js';
import { connectSystem } from './connect-system.js';
import { openTaskInput, sealTaskResult } from './queue-system-tasks.js';
import { correctSubjectRows, eraseSubjectRows, gatherSubjectRows } from './sql-system-rights.js';
import { callService } from './call-service.js';
import { retryDelayMs, type SystemTaskAction, type SystemTaskRow } from './system-task.js';
import { claimSystemTask, dueSystemTasks, releaseRunningTasks, tasksOfRequest, updateSystemTask } from './system-task.repository.js';

/** Longer than a task takes on a database that answers; a dead process's task is retried after it. */
const LEASE_MS = 2 * 60 * 1000;
const BATCH = 50;

export interface SystemTaskRunner {
  /** Runs what is due now, soon after a request queued tasks. */
  kick(): void;
  /** Runs what is due, and resolves when done (the job, tests). */
  runDue(now?: Date): Promise<{ done: number; failed: number }>;
  job(): ScheduledJob;
  /** Waits for a run in progress. */
  settle(): Promise<void>;
}

/** `onRequestDone` finishes a request whose tasks are now all done (its notice, its export). */
export function createSystemTaskRunner(ctx: VaultContext, options: { onRequestDone: (requestId: string) => Promise<void> }): SystemTaskRunner {
  let running: Promise<{ done: number; failed: number }> | undefined;
  let again = false;

  const runOnce = async (now: Date) => {
    let done = 0;
    let failed = 0;
    const due = await dueSystemTasks(ctx.db, now.toISOString(), BATCH);
    // Most runs find nothing due: the keys are read only when there is work.
    if (due.length === 0) return { done, failed };
    const keys = await loadRequestKeys(ctx.db, ctx.keyring);
    const maskKey = await loadOrCreateVaultKey(ctx.db, ctx.keyring, 'system-mask', () => randomBytes(32));
    for (const task of due) {
      if (!(await claimSystemTask(ctx.db, task, new Date(now.getTime() + LEASE_MS).toISOString()))) continue;
      const attempts = task.attempts + 1;
      try {
        const result = await carryOut(ctx, task, keys.sealing, maskKey);
        // Dying here runs the task again later: every share is idempotent (nothing left to erase, the same values written).
        reached(ctx, 'system-task.carried-out');
        const finished = await updateSystemTask(ctx.db, task.id, ['running'], {
          status: 'done',
          done_at: new Date().toISOString(),
          done_by: 'system',
          lease_until: null,
          last_error: null,
          result: result === undefined ? null : sealTaskResult(keys.sealing, task.id, result),
        });
        if (!finished) continue;
        done += 1;
        reached(ctx, 'system-task.done');
        const tasks = await tasksOfRequest(ctx.db, task.request_id);
        if (tasks.every((other) => other.status === 'done')) await options.onRequestDone(task.request_id);
      } catch (error) {
        failed += 1;
        await updateSystemTask(ctx.db, task.id, ['running'], {
          status: 'failed',
          lease_until: null,
          last_error: oneLine(error),
          next_attempt_at: new Date(now.getTime() + retryDelayMs(attempts)).toISOString(),
        });
      }
    }
    return { done, failed };
  };

  const runDue = (now: Date = new Date()) => {
    if (running) {
      again = true;
      return running;
    }
    running = runOnce(now).finally(() => {
      running = undefined;
      if (again) {
        again = false;
        kick();
      }
    });
    return running;
  };
  const kick = () => {
    runDue().catch(() => undefined);
  };

  return {
    kick,
    runDue,
    settle: async () => {
      await running?.catch(() => undefined);
    },
    job: () => ({
      name: 'system-tasks',
      interval: 60 * 1000,
      run: async (now) => {
        const { done, failed } = await runDue(now);
        return `done=${done} failed=${failed}`;
      },
    }),
  };
}

/** At a server's start: tasks left running by a process that died are due at once. */
export function releaseTasksAtStart(ctx: VaultContext, now: Date = new Date()): Promise<number> {
  return releaseRunningTasks(ctx.db, now.toISOString());
}

async function carryOut(ctx: VaultContext, task: SystemTaskRow, sealingKey: Buffer, maskKey: Buffer): Promise<unknown> {
  const system = ctx.declaration.systems?.find((candidate) => candidate.id === task.system_id);
  if (!system) throw new Error(`system ${task.system_id} is no longer declared: a person decides (mark the task done with a reason)`);
  const variable = ctx.variable ?? (() => undefined);
  const action = task.action as SystemTaskAction;
  if (system.engine === 'http') {
    const { identity, corrected } = openTaskInput(sealingKey, task.id, task.input);
    // A service is sent field names (`name`), not the declaration's `category.field` keys.
    const byField = corrected && Object.fromEntries(Object.entries(corrected).map(([key, value]) => [key.slice(key.indexOf('.') + 1), value]));
    return callService({ system, action, identity, ...(byField ? { corrected: byField } : {}), variable, allowPrivate: ctx.webhookPrivateAddresses === true });
  }
  if (!isSqlSystem(system)) throw new Error(`system ${system.id} is done by staff`);
  const url = variable(system.connection);
  if (url === undefined || url === '') throw new Error(`${system.connection} is not set: the connection of system ${system.id}`);
  const { identity, corrected } = openTaskInput(sealingKey, task.id, task.input);
  const connected = await connectSystem(system.engine, url, 'write');
  try {
    switch (task.action) {
      case 'access':
        return await gatherSubjectRows(connected.db, system, identity);
      case 'erasure':
        return await eraseSubjectRows(connected.db, system, identity, maskKey);
      default:
        return await correctSubjectRows(connected.db, system, identity, corrected ?? {});
    }
  } finally {
    await connected.close();
  }
}

/**
 * A driver's reason on one line, capped, with quoted text taken out: MySQL quotes the
 * offending value in its messages ("Duplicate entry '…' for key …"), and staff read this.
 */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).replace(/'[^']*'/g, "'…'").slice(0, 300);
}
