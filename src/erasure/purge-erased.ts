/**
 * The second half of an erasure: deleting the rows of tables the registry marks
 * `deferred` (events), then the tombstone subject row. The erasure's own transaction has
 * already destroyed the key and emptied every other table, so what is purged here is
 * unreadable ciphertext; deleting ten thousand rows scattered through a large table in
 * one transaction would hold SQLite's only connection for a second or more, so they go a
 * few hundred at a time and other requests run in between.
 */
import type { Kysely } from 'kysely';
import type { ScheduledJob } from '../jobs/scheduler.js';
import type { Database } from '../store/schema.js';
import { ERASED_KIND } from './apply-erasure.js';

const BATCH = 500;

export interface PurgeResult {
  subjects: number;
  /** Rows of the events table (each may hold several events). */
  events: number;
}

/** Purges every tombstone; safe to run in several processes at once (each step is idempotent). */
export async function purgeErasedSubjects(db: Kysely<Database>, options: { batch?: number } = {}): Promise<PurgeResult> {
  const batch = options.batch ?? BATCH;
  const result: PurgeResult = { subjects: 0, events: 0 };
  for (;;) {
    const tombstones = await db.selectFrom('subjects').select('id').where('kind', '=', ERASED_KIND).orderBy('id').limit(20).execute();
    if (tombstones.length === 0) return result;
    for (const { id } of tombstones) {
      for (;;) {
        const deleted = await db
          .deleteFrom('events')
          .where('id', 'in', (eb) => eb.selectFrom('events').select('id').where('subject_id', '=', id).limit(batch))
          .executeTakeFirst();
        const count = Number(deleted.numDeletedRows);
        result.events += count;
        if (count < batch) break;
        // Let requests waiting for the connection go first.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const removed = await db.deleteFrom('subjects').where('id', '=', id).where('kind', '=', ERASED_KIND).executeTakeFirst();
      result.subjects += Number(removed.numDeletedRows);
    }
  }
}

const running = new WeakMap<Kysely<Database>, Promise<PurgeResult>>();

/**
 * Starts a purge now, in the background, unless this process is already running one on
 * this database. A failure (the store closing, say) is left to the scheduled job to redo.
 */
export function kickPurge(db: Kysely<Database>): void {
  if (running.has(db)) return;
  const purge = purgeErasedSubjects(db)
    .catch(() => ({ subjects: 0, events: 0 }))
    .finally(() => running.delete(db));
  running.set(db, purge);
}

/** Resolves when the purge this process started on `db`, if any, has finished. */
export async function settlePurge(db: Kysely<Database>): Promise<void> {
  await running.get(db);
}

/** The scheduled sweep, for tombstones a process left when it stopped mid-purge. */
export function erasurePurgeJob(db: Kysely<Database>): ScheduledJob {
  return {
    name: 'erasure-purge',
    interval: 60_000,
    run: async () => {
      await settlePurge(db);
      const { subjects, events } = await purgeErasedSubjects(db);
      return `${subjects} erased subjects purged, ${events} event rows`;
    },
  };
}
