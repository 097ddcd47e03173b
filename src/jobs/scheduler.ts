/**
 * Runs periodic jobs inside the server. Each tick claims every due job through the
 * durable schedule (so one process among many runs a slot) and runs it; a job's failure
 * is logged and recorded, never thrown into the process.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { claimRun, recordResult } from './schedule.js';

export interface ScheduledJob {
  /** The job's row in `job_schedule`. */
  name: string;
  /** Milliseconds between runs. */
  interval: number;
  /** Runs the job at `now`; returns a short, non-personal summary stored as the last result. */
  run: (now: Date) => Promise<string>;
}

export type SchedulerLog = (level: 'info' | 'error', message: string, details: Record<string, unknown>) => void;

export interface SchedulerOptions {
  db: Kysely<Database>;
  jobs: readonly ScheduledJob[];
  /** Milliseconds between looks at the schedule (a job runs at most this late). */
  tickMs: number;
  log: SchedulerLog;
  /** The clock; tests may pass their own. */
  clock?: () => Date;
}

export interface Scheduler {
  /** Stops ticking and resolves once a job already running has finished. */
  stop(): Promise<void>;
}

/**
 * Starts ticking every `tickMs`. The timer is unref'd: it never keeps the process alive.
 *
 * @example
 * const scheduler = startScheduler({ db, jobs: [retentionJob({ db, policy: vault })], tickMs: 60_000, log });
 * // on shutdown, before closing the store:
 * await scheduler.stop();
 */
export function startScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? (() => new Date());
  let stopped = false;
  let current: Promise<void> | undefined;
  const log: SchedulerLog = (level, message, details) => {
    try {
      options.log(level, message, details);
    } catch {
      // A broken logger must not stop the jobs, nor crash the process.
    }
  };

  const runJob = async (job: ScheduledJob) => {
    const now = clock();
    let claimed = false;
    try {
      claimed = await claimRun(options.db, { name: job.name, now, interval: job.interval });
      if (!claimed) return;
      const result = await job.run(now);
      await recordResult(options.db, job.name, result);
      log('info', `job ${job.name} ran`, { job: job.name, result });
    } catch (error) {
      log('error', `job ${job.name} failed`, { job: job.name, err: error });
      if (!claimed) return;
      const reason = error instanceof Error ? error.message : String(error);
      await recordResult(options.db, job.name, `failed: ${reason}`.slice(0, 500)).catch(() => undefined);
    }
  };

  const tick = async () => {
    for (const job of options.jobs) {
      if (stopped) return;
      await runJob(job);
    }
  };

  const timer = setInterval(() => {
    // A tick still running (a long job) is not overlapped; the next tick after it picks up.
    if (current || stopped) return;
    current = tick()
      .catch((error: unknown) => {
        log('error', 'scheduler tick failed', { err: error });
      })
      .finally(() => {
        current = undefined;
      });
  }, options.tickMs);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
