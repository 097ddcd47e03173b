/**
 * Group commit for events. Every request's rows wait for a commit before the request is
 * answered, as with one transaction per request; but the requests that arrive while the
 * database is busy (or within one turn of the event loop) share the next transaction.
 * A commit costs writing every page it changed to the log (and, with synchronous=FULL or
 * on PostgreSQL, a disk flush): requests of different visitors touch different pages of
 * the events_subject index, so small transactions would pay a page each per request.
 *
 * Each request's rows stay atomic: all in one transaction. When a shared transaction
 * fails, its requests are written again one transaction each, so that one bad request
 * (an event for a subject erased a moment ago) does not fail the others.
 */
import type { Kysely } from 'kysely';
import { VowError } from '../errors.js';
import type { Database } from '../store/schema.js';
import { createEventInserts, touchSubject, type NewEventRow } from './event.repository.js';

export interface EventBatch {
  rows: readonly NewEventRow[];
  /** Moves the subject's last activity forward in the same transaction. */
  touch?: { subjectId: string; at: string } | undefined;
}

/** `subject-gone`: the subject was erased before the rows reached the database; nothing was stored. */
export type WriteOutcome = 'stored' | 'subject-gone';

export interface EventWriter {
  write(batch: EventBatch): Promise<WriteOutcome>;
  /** Rows waiting for their transaction. */
  readonly pendingRows: number;
}

export interface EventWriterOptions {
  /** Rows one transaction takes at most; the rest wait for the next. */
  maxRowsPerTransaction?: number;
  /** Past this many waiting rows, writes are refused (503) rather than held in memory. */
  maxPendingRows?: number;
}

interface Pending {
  batch: EventBatch;
  resolve(outcome: WriteOutcome): void;
  reject(error: unknown): void;
}

export function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  return error.code === '23503' || error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export function createEventWriter(db: Kysely<Database>, options: EventWriterOptions = {}): EventWriter {
  const maxRows = options.maxRowsPerTransaction ?? 2000;
  const maxPending = options.maxPendingRows ?? 50_000;
  let queue: Pending[] = [];
  let pendingRows = 0;
  let busy = false;
  let scheduled = false;
  const insertEvents = createEventInserts(db);

  const commit = (batches: readonly EventBatch[]) =>
    db.transaction().execute(async (trx) => {
      await insertEvents(trx, batches.length === 1 && batches[0] ? batches[0].rows : batches.flatMap((batch) => batch.rows));
      for (const batch of batches) if (batch.touch) await touchSubject(trx, batch.touch.subjectId, batch.touch.at);
    });

  const writeAlone = async (pending: Pending) => {
    try {
      await commit([pending.batch]);
      pending.resolve('stored');
    } catch (error) {
      if (isForeignKeyViolation(error)) pending.resolve('subject-gone');
      else pending.reject(error);
    }
  };

  const take = (): Pending[] => {
    let rows = 0;
    let count = 0;
    while (count < queue.length && (count === 0 || rows + (queue[count]?.batch.rows.length ?? 0) <= maxRows)) {
      rows += queue[count]?.batch.rows.length ?? 0;
      count += 1;
    }
    const group = queue.slice(0, count);
    queue = queue.slice(count);
    pendingRows -= rows;
    return group;
  };

  const flush = async () => {
    scheduled = false;
    busy = true;
    const group = take();
    try {
      if (group.length === 1 && group[0]) {
        await writeAlone(group[0]);
      } else {
        try {
          await commit(group.map((pending) => pending.batch));
          for (const pending of group) pending.resolve('stored');
        } catch {
          for (const pending of group) await writeAlone(pending);
        }
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
    get pendingRows() {
      return pendingRows;
    },
    write(batch) {
      if (batch.rows.length === 0 && !batch.touch) return Promise.resolve('stored');
      if (pendingRows + batch.rows.length > maxPending) {
        return Promise.reject(new VowError('unavailable', 'too many events waiting to be stored; try again shortly'));
      }
      return new Promise<WriteOutcome>((resolve, reject) => {
        queue.push({ batch, resolve, reject });
        pendingRows += batch.rows.length;
        schedule();
      });
    },
  };
}
