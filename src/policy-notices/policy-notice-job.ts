/** Policy-change notices as a periodic job: each run tells up to a few batches of account holders. */
import type { ScheduledJob } from '../jobs/scheduler.js';
import type { VaultContext } from '../vault/vault-context.js';
import { sendPolicyNotices } from './send-policy-notices.js';

export const POLICY_NOTICES_JOB = 'policy-notices';
export const POLICY_NOTICES_INTERVAL_MS = 5 * 60 * 1000;

export function policyNoticeJob(ctx: VaultContext, options: { interval?: number; batchSize?: number } = {}): ScheduledJob {
  return {
    name: POLICY_NOTICES_JOB,
    interval: options.interval ?? POLICY_NOTICES_INTERVAL_MS,
    run: async (now) => {
      const run = await sendPolicyNotices(ctx, { now, ...(options.batchSize ? { batchSize: options.batchSize } : {}) });
      return run.version === null ? 'no material version' : `version ${run.version}: notified=${run.notified} without-address=${run.withoutAddress} more=${run.more}`;
    },
  };
}
