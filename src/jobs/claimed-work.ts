/**
 * Work claimed and left unfinished by a process that died: request completions and
 * child-report confirmations. At start a server takes every claim it finds: the process
 * that made it is gone, or racing it is harmless, since each finish runs in a transaction
 * that lets one finisher through. Afterwards, every minute, claims older than a lease
 * that no live completion holds that long (another server died).
 */
import { resumeConfirmations } from '../children/decide-child-report.js';
import { finishWaitingRequest } from '../requests/complete-request.js';
import { listRequests } from '../requests/request.repository.js';
import { resumeCompletions } from '../requests/resume-completions.js';
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

export async function resumeClaimedWork(ctx: VaultContext, options: ResumeOptions): Promise<{ finished: number; failed: number }> {
  const requests = await resumeCompletions(ctx, options);
  const reports = await resumeConfirmations(ctx, options);
  const waiting = await finishReadyRequests(ctx, options);
  return { finished: requests.finished + reports.finished + waiting.finished, failed: requests.failed + reports.failed + waiting.failed };
}

/** Waiting requests whose every task is done: the process that did the last one died before finishing the request. */
async function finishReadyRequests(ctx: VaultContext, options: ResumeOptions): Promise<{ finished: number; failed: number }> {
  let finished = 0;
  let failed = 0;
  for (const row of await listRequests(ctx.db, { statuses: ['waiting'], limit: 100 })) {
    try {
      if (await finishWaitingRequest(ctx, row.id, options.now ?? new Date())) finished += 1;
    } catch (error) {
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
