/**
 * SQL for retention. Every delete takes at most `limit` rows (`DELETE … WHERE id IN
 * (SELECT … LIMIT n)`, which SQLite and PostgreSQL both run), so each statement is a
 * short transaction of its own and a large purge never holds locks for long.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { notHeldAtAll, notUnderHold } from '../erasure/hold-filter.js';
import type { Database } from '../store/schema.js';

/** Deletes up to `limit` records of `category` collected before `before`; returns how many went. */
export async function deleteRecordsCollectedBefore(db: Kysely<Database>, category: string, before: string, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('vault_records')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('vault_records')
        .select('id')
        .where('category', '=', category)
        .where('collected_at', '<', before)
        .where(notUnderHold('vault_records.subject_id', category))
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Deletes up to `limit` records of `category` whose subject's `moment` (last activity, or
 * account closure) is before `before`. A subject whose account is open has no closure
 * moment, and NULL is before nothing, so its records stay.
 */
export async function deleteRecordsOfSubjectsBefore(
  db: Kysely<Database>,
  moment: 'last_activity_at' | 'closed_at',
  category: string,
  before: string,
  limit: number,
): Promise<number> {
  const result = await db
    .deleteFrom('vault_records')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('vault_records as r')
        .innerJoin('subjects as s', 's.id', 'r.subject_id')
        .select('r.id')
        .where('r.category', '=', category)
        .where(`s.${moment}`, '<', before)
        .where(notUnderHold('r.subject_id', category))
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes up to `limit` social aggregates imported before `before`. */
export async function deleteAggregatesImportedBefore(db: Kysely<Database>, before: string, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('social_aggregates')
    .where('id', 'in', (eb) => eb.selectFrom('social_aggregates').select('id').where('imported_at', '<', before).limit(limit))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** True when the subject has no records, no events and no consent records left. */
function holdsNothing(eb: ExpressionBuilder<Database & { s: Database['subjects'] }, 'subjects' | 's'>, subject: 's.id' | 'subjects.id') {
  return eb.and([
    eb.not(eb.exists(eb.selectFrom('vault_records as r').select('r.id').whereRef('r.subject_id', '=', subject))),
    eb.not(eb.exists(eb.selectFrom('events as e').select('e.id').whereRef('e.subject_id', '=', subject))),
    eb.not(eb.exists(eb.selectFrom('consent_records as c').select('c.id').whereRef('c.subject_id', '=', subject))),
  ]);
}

/** Event rows deleted, and the events they held (a row holds those of one request that share their dimensions). */
export interface DeletedEvents {
  rows: number;
  events: number;
}

function deletedEvents(rows: readonly { event_count: number }[]): DeletedEvents {
  return { rows: rows.length, events: rows.reduce((sum, row) => sum + row.event_count, 0) };
}

/** Deletes up to `limit` event rows of `category` whose earliest event occurred before `before`. */
export async function deleteEventsBefore(db: Kysely<Database>, category: string, before: string, limit: number): Promise<DeletedEvents> {
  const rows = await db
    .deleteFrom('events')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('events')
        .select('id')
        .where('category', '=', category)
        .where('occurred_at', '<', before)
        .where(notUnderHold('events.subject_id', category))
        .limit(limit),
    )
    .returning('event_count')
    .execute();
  return deletedEvents(rows);
}

/** Deletes up to `limit` event rows of `category` whose subject's `moment` is before `before`. */
export async function deleteEventsOfSubjectsBefore(
  db: Kysely<Database>,
  moment: 'last_activity_at' | 'closed_at',
  category: string,
  before: string,
  limit: number,
): Promise<DeletedEvents> {
  const rows = await db
    .deleteFrom('events')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('events as e')
        .innerJoin('subjects as s', 's.id', 'e.subject_id')
        .select('e.id')
        .where('e.category', '=', category)
        .where(`s.${moment}`, '<', before)
        .where(notUnderHold('e.subject_id', category))
        .limit(limit),
    )
    .returning('event_count')
    .execute();
  return deletedEvents(rows);
}

/**
 * Deletes up to `limit` subjects that hold no records, events or consent records and
 * were created before `before`, with their data keys (crypto-shredding anything left encrypted under them) and their
 * identifiers. The foreign keys cascade too; the explicit deletes keep this true on a
 * SQLite handle that runs with foreign keys off. The subject is deleted first and only
 * while it still has no records, so a record written meanwhile keeps its subject.
 */
export async function deleteSubjectsWithoutRecords(db: Kysely<Database>, before: string, limit: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom('subjects')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('subjects as s')
          .select('s.id')
          .where('s.created_at', '<', before)
          .where((inner) => holdsNothing(inner, 's.id'))
          .where(notHeldAtAll('s.id'))
          .limit(limit),
      )
      .where((eb) => holdsNothing(eb, 'subjects.id'))
      .returning('id')
      .execute();
    const ids = deleted.map((row) => row.id);
    if (ids.length > 0) {
      await trx.deleteFrom('subject_keys').where('subject_id', 'in', ids).execute();
      await trx.deleteFrom('subject_identifiers').where('subject_id', 'in', ids).execute();
    }
    return ids.length;
  });
}
