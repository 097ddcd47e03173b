/**
 * A declared system's share of a data-subject request. Databases are reached by Vow
 * itself; `http` and `manual` systems wait for staff, who confirm the work done with a
 * reason (calling a service's declared API is not built yet).
 */
import type { Selectable } from 'kysely';
import type { SystemTaskTable } from '../store/schema.js';
import type { SubjectIdentity } from './subject-rows.js';

export const systemTaskActions = ['access', 'erasure', 'correction'] as const;
export type SystemTaskAction = (typeof systemTaskActions)[number];

export const systemTaskStatuses = ['pending', 'running', 'done', 'failed', 'waiting-for-staff'] as const;
export type SystemTaskStatus = (typeof systemTaskStatuses)[number];

export type SystemTaskRow = Selectable<SystemTaskTable>;

/** What a task needs to find and change the subject's rows, sealed on the task. */
export interface SystemTaskInput {
  identity: SubjectIdentity;
  /** For a correction: the new values by `category.field`. */
  corrected?: Record<string, string>;
}

/** A task as staff see it: no identity values, no gathered rows. */
export interface SystemTask {
  id: string;
  system: string;
  action: SystemTaskAction;
  status: SystemTaskStatus;
  /** Pending or running for longer than `LATE_AFTER_MS`: raised like a failure. */
  late: boolean;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  doneBy: string | null;
  reason: string | null;
  createdAt: string;
  doneAt: string | null;
}

export function systemTaskOf(row: SystemTaskRow, now: Date): SystemTask {
  return {
    id: row.id,
    system: row.system_id,
    action: row.action as SystemTaskAction,
    status: row.status as SystemTaskStatus,
    late: stuckReason(row, now) === 'late',
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    doneBy: row.done_by,
    reason: row.done_reason,
    createdAt: row.created_at,
    doneAt: row.done_at,
  };
}

/**
 * How long a task Vow runs may stay pending or running before it counts as late: a
 * database reached in milliseconds that has not answered in an hour is someone's to look at.
 */
export const LATE_AFTER_MS = 60 * 60 * 1000;

/**
 * Why a task needs a person, or undefined while it runs as it should: it failed (and is
 * retried), waits for staff, or has been pending or running longer than `LATE_AFTER_MS`.
 */
export function stuckReason(task: Pick<SystemTaskRow, 'status' | 'created_at'>, now: Date): 'failed' | 'waiting-for-staff' | 'late' | undefined {
  if (task.status === 'failed' || task.status === 'waiting-for-staff') return task.status;
  if ((task.status === 'pending' || task.status === 'running') && Date.parse(task.created_at) < now.getTime() - LATE_AFTER_MS) return 'late';
  return undefined;
}

/** 30 s, 2 min, 8 min, … capped at 6 h: a database down for a night is retried all night, not hammered. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 4 ** Math.max(0, attempts - 1), 6 * 60 * 60 * 1000);
}
