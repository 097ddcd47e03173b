/**
 * Enforces the declared retention periods: deletes each category's records once they
 * are older than the category's period (counted from collection, from the subject's
 * last activity, or from the closing of the account), the social aggregates past the
 * non-personal social category's period, and then the subjects left with nothing.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import type { Category, Declaration } from '../policy/declaration.js';
import type { Database } from '../store/schema.js';
import { cutoff } from './retention-cutoff.js';
import {
  deleteAggregatesImportedBefore,
  deleteEventsBefore,
  deleteEventsOfSubjectsBefore,
  deleteRecordsCollectedBefore,
  deleteRecordsOfSubjectsBefore,
  deleteSubjectsWithoutRecords,
  type DeletedEvents,
} from './retention.repository.js';

export interface RunRetentionOptions {
  declaration: Declaration;
  now: Date;
  actor: Actor;
  /** Rows per delete statement (each its own short transaction). */
  batchSize?: number;
}

export interface RetentionResult {
  /** Records, events and aggregates deleted per declared category id (every category appears, 0 when nothing was due). */
  categories: Record<string, number>;
  /** Subjects deleted, with their keys and identifiers, because no record of theirs was left. */
  subjectsErased: number;
}

export const RETENTION_BATCH_SIZE = 1000;

/** A subject with no records is kept this long after its creation: it may be about to receive its first one. */
export const EMPTY_SUBJECT_GRACE = 'P1D';

/**
 * Runs retention once at `now` and appends one `retention.ran` audit record with the
 * counts (never ids or personal data). Safe to run again or alongside the server: every
 * delete is idempotent. Periodic runs go through the scheduler's claim so that one
 * process runs each slot.
 */
export async function runRetention(db: Kysely<Database>, options: RunRetentionOptions): Promise<RetentionResult> {
  const batchSize = options.batchSize ?? RETENTION_BATCH_SIZE;
  const categories: Record<string, number> = {};
  for (const category of options.declaration.categories) {
    const before = cutoff(options.now, category.retention.period).toISOString();
    const { records: purgeRecords, events: purgeEvents } = purges(category);
    let deleted = await drain(async (limit) => rowsOnly(await purgeRecords(db, category.id, before, limit)), batchSize);
    deleted += await drain(async (limit) => eventRows(await purgeEvents(db, category.id, before, limit)), batchSize);
    if (category.kind === 'social' && !category.personal) {
      // Aggregates have no subject: whatever the declared event, their clock is the import.
      deleted += await drain(async (limit) => rowsOnly(await deleteAggregatesImportedBefore(db, before, limit)), batchSize);
    }
    categories[category.id] = (categories[category.id] ?? 0) + deleted;
  }

  const createdBefore = cutoff(options.now, EMPTY_SUBJECT_GRACE).toISOString();
  const subjectsErased = await drain(async (limit) => rowsOnly(await deleteSubjectsWithoutRecords(db, createdBefore, limit)), batchSize);

  await db.transaction().execute((trx) =>
    appendAudit(trx, { actor: options.actor, action: 'retention.ran', target: 'job:retention', data: { ...categories, subjectsErased } }, options.now),
  );
  return { categories, subjectsErased };
}

type Purge<T> = (db: Kysely<Database>, category: string, before: string, limit: number) => Promise<T>;

/** How a category's records and events are found past retention, by the event its period counts from. */
function purges(category: Category): { records: Purge<number>; events: Purge<DeletedEvents> } {
  switch (category.retention.from) {
    case 'collection':
      return { records: deleteRecordsCollectedBefore, events: deleteEventsBefore };
    case 'last-activity':
      return {
        records: (db, id, before, limit) => deleteRecordsOfSubjectsBefore(db, 'last_activity_at', id, before, limit),
        events: (db, id, before, limit) => deleteEventsOfSubjectsBefore(db, 'last_activity_at', id, before, limit),
      };
    case 'account-closure':
      return {
        records: (db, id, before, limit) => deleteRecordsOfSubjectsBefore(db, 'closed_at', id, before, limit),
        events: (db, id, before, limit) => deleteEventsOfSubjectsBefore(db, 'closed_at', id, before, limit),
      };
  }
}

/** The rows a bounded delete took, and what they held: an events row may hold several events. */
interface Deleted {
  rows: number;
  items: number;
}

const rowsOnly = (rows: number): Deleted => ({ rows, items: rows });
const eventRows = ({ rows, events }: DeletedEvents): Deleted => ({ rows, items: events });

/** Repeats a bounded delete until a batch comes back short of rows; returns the total of what they held. */
async function drain(deleteBatch: (limit: number) => Promise<Deleted>, limit: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch(limit);
    total += deleted.items;
    if (deleted.rows < limit) return total;
  }
}
