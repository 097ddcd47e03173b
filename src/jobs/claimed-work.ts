/**
 * Work claimed and left unfinished by a process that died: request completions and
 * child-report confirmations. At start a server takes every claim it finds: the process
 * that made it is gone, or racing it is harmless, since each finish runs in a transaction
 * that lets one finisher through. Afterwards, every minute, claims older than a lease
 * that no live completion holds that long (another server died).
 */
import { finishConfirmation } from '../children/decide-child-report.js';
import { findClaimedReportsBefore } from '../children/child-report.repository.js';
import { VowError } from '../errors.js';
import { finishCompletion, finishWaitingRequest } from '../requests/complete-request.js';
import { findClaimedBefore, findWaitingAllDone } from '../requests/request.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import type { ScheduledJob } from './scheduler.js';

/** Longer than any completion takes: an export of a large subject takes seconds. */
export const CLAIM_LEASE_MS = 5 * 60 * 1000;

export interface ResumeOptions {
  claimedBefore: Date;
  now?: Date;
  /** Told of each claim that failed again (left claimed, tried at the next run). */
  onError?: (id: string, error: unknown) => void;
}

const BATCH = 100;

export async function resumeClaimedWork(ctx: VaultContext, options: ResumeOptions): Promise<{ finished: number; failed: number }> {
  const now = options.now ?? new Date();
  const before = options.claimedBefore.toISOString();
  const runs = [
    await finishEach(await findClaimedBefore(ctx.db, before, BATCH), (id) => finishCompletion(ctx, id, now), options),
    await finishEach(await findClaimedReportsBefore(ctx.db, before, BATCH), (id) => finishConfirmation(ctx, id, now), options),
    // Waiting requests whose every task is done: the process that did the last one died before finishing the request.
    // (Only those: requests waiting for staff could otherwise fill every batch.)
    await finishEach(await findWaitingAllDone(ctx.db, BATCH), (id) => finishWaitingRequest(ctx, id, now), options),
  ];
  return { finished: runs.reduce((sum, run) => sum + run.finished, 0), failed: runs.reduce((sum, run) => sum + run.failed, 0) };
}

/**
 * Finishes each row's work; `false` from `finish` is nothing to do. A VowError is not a
 * failure of this run: finished meanwhile by another process, or refused and handed back
 * to staff. Any other error leaves the claim for the next run, and `onError` hears of it.
 */
async function finishEach(rows: readonly { id: string }[], finish: (id: string) => Promise<unknown>, options: ResumeOptions): Promise<{ finished: number; failed: number }> {
  let finished = 0;
  let failed = 0;
  for (const row of rows) {
    try {
      if ((await finish(row.id)) !== false) finished += 1;
    } catch (error) {
      if (error instanceof VowError) continue;
      failed += 1;
      options.onError?.(row.id, error);
    }
  }
  return { finished, failed };
}

export function claimedWorkJob(ctx: VaultContext, options: { onQueued?: () => void; onError?: ResumeOptions['onError'] } = {}): ScheduledJob {
  return {
    name: 'claimed-work',
    interval: 60 * 1000,
    run: async (now) => {
      const { finished, failed } = await resumeClaimedWork(ctx, {
        claimedBefore: new Date(now.getTime() - CLAIM_LEASE_MS),
        now,
        ...(options.onError ? { onError: options.onError } : {}),
      });
      // A finished completion queued its notice.
      if (finished > 0) options.onQueued?.();
      return `finished=${finished} failed=${failed}`;
    },
  };
}
