/** Retention as a periodic job for the scheduler, and how its result reads in one line. */
import type { Kysely } from 'kysely';
import type { ScheduledJob } from '../jobs/scheduler.js';
import type { Declaration } from '../policy/declaration.js';
import type { Database } from '../store/schema.js';
import { runRetention, type RetentionResult } from './run-retention.js';

export const RETENTION_JOB = 'retention';
export const RETENTION_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface RetentionJobOptions {
  db: Kysely<Database>;
  /** Read at each run (a `VaultContext`): retention is that of the version in force then. */
  policy: { readonly declaration: Declaration };
  /** Milliseconds between runs; daily by default. */
  interval?: number;
}

/** The `retention` job: runs retention as `system` once per interval. */
export function retentionJob(options: RetentionJobOptions): ScheduledJob {
  return {
    name: RETENTION_JOB,
    interval: options.interval ?? RETENTION_INTERVAL_MS,
    run: async (now) => summarizeRetention(await runRetention(options.db, { declaration: options.policy.declaration, now, actor: 'system' })),
  };
}

/** `account=0 log-data=12 …; subjects erased=3`: counts only, fit for the schedule's last result. */
export function summarizeRetention(result: RetentionResult): string {
  const counts = Object.entries(result.categories).map(([category, count]) => `${category}=${count}`);
  return `${counts.join(' ')}; subjects erased=${result.subjectsErased}`;
}
