/** Webhook deliveries as a periodic job: whatever is due (first tries the kick missed, and retries) is sent. */
import type { ScheduledJob } from '../jobs/scheduler.js';
import { deliverWebhooks, type DeliveryDeps } from './deliver-webhooks.js';

export const WEBHOOKS_JOB = 'webhooks';
export const WEBHOOKS_INTERVAL_MS = 60_000;

export function webhookJob(deps: DeliveryDeps, options: { interval?: number } = {}): ScheduledJob {
  return {
    name: WEBHOOKS_JOB,
    interval: options.interval ?? WEBHOOKS_INTERVAL_MS,
    run: async () => {
      const report = await deliverWebhooks(deps);
      return `attempted=${report.attempted} delivered=${report.delivered} failed=${report.failed}`;
    },
  };
}
