/**
 * Group commit for small writes of many callers: the units of work that arrive while the
 * database is busy (or within one turn of the event loop) run one after another in one
 * shared transaction, which commits once. A commit is most of a small write's cost (its
 * pages written to the log, a flush on PostgreSQL); with the audit chain's head locked by
 * every audited write, such writes are serial anyway, so sharing the commit loses nothing.
 *
 * Each unit stays atomic. When a shared transaction fails, all of it rolls back and each
 * of its units runs again in a transaction of its own, so that one refused unit (a unique
 * key taken a moment ago) does not fail the others, and each caller gets its own answer.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Work<T> = (trx: Kysely<Database>) => Promise<T>;

export interface GroupCommit {
  run<T>(work: Work<T>): Promise<T>;
}

interface Pending {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export function createGroupCommit(db: Kysely<Database>, options: { maxPerTransaction?: number } = {}): GroupCommit {
  const max = options.maxPerTransaction ?? 256;
  let queue: Pending[] = [];
  let busy = false;
  let scheduled = false;

  const alone = async (pending: Pending) => {
    try {
      pending.resolve(await db.transaction().execute(pending.work));
    } catch (error) {
      pending.reject(error);
    }
  };

  const flush = async () => {
    scheduled = false;
    busy = true;
    const group = queue.slice(0, max);
    queue = queue.slice(max);
    try {
      if (group.length === 1 && group[0]) {
        await alone(group[0]);
      } else {
        let results: unknown[] | undefined;
        try {
          results = await db.transaction().execute(async (trx) => {
            const done: unknown[] = [];
            for (const pending of group) done.push(await pending.work(trx));
            return done;
          });
        } catch {
          results = undefined;
        }
        if (results) {
          for (const [index, pending] of group.entries()) pending.resolve(results[index]);
        }
        else for (const pending of group) await alone(pending);
      }
    } finally {
      busy = false;
      schedule();
    }
  };

  // After the current turn's I/O, so that the requests read in this turn share the commit.
  const schedule = () => {
    if (busy || scheduled || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => void flush());
  };

  return {
    run<T>(work: Work<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({
          work,
          resolve: (value) => {
            resolve(value as T);
          },
          reject,
        });
        schedule();
      });
    },
  };
}
