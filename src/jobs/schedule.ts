/**
 * The durable schedule of periodic jobs (`job_schedule`). A process may run a job's
 * slot only after moving its `next_run_at` past now with a conditional update; the
 * database lets exactly one concurrent update match (a row lock on PostgreSQL, the write
 * lock on SQLite), so several servers on one database never run one slot twice.
 */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../store/open-store.js';
import type { Database } from '../store/schema.js';

export interface ClaimRunOptions {
  name: string;
  now: Date;
  /** Milliseconds until the job is due again. */
  interval: number;
}

/**
 * Claims the job's current slot: true when it was due and this call moved it on (the
 * caller must run the job now), false when it is not due or another process claimed it.
 * A job never seen before is due at once.
 */
export async function claimRun(db: Kysely<Database>, options: ClaimRunOptions): Promise<boolean> {
  if (!Number.isFinite(options.interval) || options.interval <= 0) throw new RangeError('claimRun: interval must be a positive number of milliseconds');
  if (await moveSlot(db, options)) return true;
  const known = await db.selectFrom('job_schedule').select('name').where('name', '=', options.name).executeTakeFirst();
  if (known) return false;
  try {
    await db
      .insertInto('job_schedule')
      .values({ name: options.name, next_run_at: options.now.toISOString(), last_run_at: null, last_result: null })
      .execute();
  } catch (error) {
    // Another process inserted it first; the update below races it fairly.
    if (!isUniqueViolation(error)) throw error;
  }
  return moveSlot(db, options);
}

async function moveSlot(db: Kysely<Database>, { name, now, interval }: ClaimRunOptions): Promise<boolean> {
  const at = now.toISOString();
  const result = await db
    .updateTable('job_schedule')
    .set({ next_run_at: new Date(now.getTime() + interval).toISOString(), last_run_at: at })
    .where('name', '=', name)
    .where('next_run_at', '<=', at)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Records how the job's last run ended (a short, non-personal summary). */
export async function recordResult(db: Kysely<Database>, name: string, result: string): Promise<void> {
  await db.updateTable('job_schedule').set({ last_result: result }).where('name', '=', name).execute();
}

export interface JobScheduleEntry {
  name: string;
  nextRunAt: string;
  lastRunAt: string | null;
  lastResult: string | null;
}

/** The job's schedule row, for status pages and tests. */
export async function findSchedule(db: Kysely<Database>, name: string): Promise<JobScheduleEntry | undefined> {
  const row = await db.selectFrom('job_schedule').selectAll().where('name', '=', name).executeTakeFirst();
  return row && { name: row.name, nextRunAt: row.next_run_at, lastRunAt: row.last_run_at, lastResult: row.last_result };
}
