/** Finishes completions claimed before a time by a process that may have died (see jobs/claimed-work.ts). */
import { VowError } from '../errors.js';
import type { VaultContext } from '../vault/vault-context.js';
import { finishCompletion } from './complete-request.js';
import { findClaimedBefore } from './request.repository.js';

const BATCH = 100;

export interface Resumed {
  finished: number;
  /** Failed again (the database, a bug): left claimed, and tried at the next run. */
  failed: number;
}

export async function resumeCompletions(
  ctx: VaultContext,
  options: { claimedBefore: Date; now?: Date; onError?: (requestId: string, error: unknown) => void },
): Promise<Resumed> {
  let finished = 0;
  let failed = 0;
  for (const row of await findClaimedBefore(ctx.db, options.claimedBefore.toISOString(), BATCH)) {
    try {
      await finishCompletion(ctx, row.id, options.now ?? new Date());
      finished += 1;
    } catch (error) {
      // Finished meanwhile by another process, or refused and handed back to staff: not a failure of this run.
      if (error instanceof VowError) continue;
      failed += 1;
      options.onError?.(row.id, error);
    }
  }
  return { finished, failed };
}
