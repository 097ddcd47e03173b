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
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  doneBy: string | null;
  reason: string | null;
  createdAt: string;
  doneAt: string | null;
}

export function systemTaskOf(row: SystemTaskRow): SystemTask {
  return {
    id: row.id,
    system: row.system_id,
    action: row.action as SystemTaskAction,
    status: row.status as SystemTaskStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    doneBy: row.done_by,
    reason: row.done_reason,
    createdAt: row.created_at,
    doneAt: row.done_at,
  };
}

/** 30 s, 2 min, 8 min, … capped at 6 h: a database down for a night is retried all night, not hammered. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 4 ** Math.max(0, attempts - 1), 6 * 60 * 60 * 1000);
}
