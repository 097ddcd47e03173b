import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { VowError } from '../errors.js';
import type { Database } from '../store/schema.js';
import type { NewEventRow } from './event.repository.js';
import { createEventWriter } from './event-writer.js';

const at = '2026-03-01T10:00:00.000Z';
let next = 0;
const row = (subjectId: string): NewEventRow => {
  next += 1;
  return { id: `evt_${String(next).padStart(22, '0')}`, subject_id: subjectId, category: 'usage-data', name: 'page_view', occurred_at: at, received_at: at, country: null, data: 'v1.x' };
};
const rows = (subjectId: string, n: number) => Array.from({ length: n }, () => row(subjectId));

/** The same database handle, counting the transactions begun through it. */
function counting(db: Kysely<Database>): { db: Kysely<Database>; transactions: () => number } {
  let count = 0;
  const proxy = new Proxy(db, {
    get(target, property) {
      if (property === 'transaction') {
        return () => {
          count += 1;
          return target.transaction();
        };
      }
      // Kysely keeps its state in private fields: its methods run on the real instance.
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: proxy, transactions: () => count };
}

async function addSubjects(db: Kysely<Database>, ids: string[]): Promise<void> {
  await db
    .insertInto('subjects')
    .values(ids.map((id) => ({ id, kind: 'visitor', region: null, created_at: at, last_activity_at: at, closed_at: null })))
    .execute();
}

describeEachDatabase('event writer (group commit)', (database) => {
  it('commits the batches written in one turn together, each request answered after the commit', () =>
    withStore(database(), async (store) => {
      await addSubjects(store.db, ['sub_a', 'sub_b']);
      const { db, transactions } = counting(store.db);
      const writer = createEventWriter(db);
      const outcomes = await Promise.all([writer.write({ rows: rows('sub_a', 20) }), writer.write({ rows: rows('sub_b', 1) }), writer.write({ rows: rows('sub_a', 77) })]);
      expect(outcomes).toEqual(['stored', 'stored', 'stored']);
      expect(transactions()).toBe(1);
      expect(writer.pendingRows).toBe(0);
      const count = await store.db.selectFrom('events').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(98);

      // Past the rows one transaction takes, the rest wait for the next.
      const small = counting(store.db);
      const capped = createEventWriter(small.db, { maxRowsPerTransaction: 30 });
      await Promise.all([capped.write({ rows: rows('sub_a', 20) }), capped.write({ rows: rows('sub_a', 20) }), capped.write({ rows: rows('sub_b', 5) })]);
      expect(small.transactions()).toBe(2);
    }));

  it('moves last activity forward in the same transaction, never back', () =>
    withStore(database(), async (store) => {
      await addSubjects(store.db, ['sub_a']);
      const writer = createEventWriter(store.db);
      await writer.write({ rows: rows('sub_a', 1), touch: { subjectId: 'sub_a', at: '2026-03-02T00:00:00.000Z' } });
      await writer.write({ rows: rows('sub_a', 1), touch: { subjectId: 'sub_a', at: '2026-03-01T12:00:00.000Z' } });
      const subject = await store.db.selectFrom('subjects').select('last_activity_at').where('id', '=', 'sub_a').executeTakeFirstOrThrow();
      expect(subject.last_activity_at).toBe('2026-03-02T00:00:00.000Z');
    }));

  it('answers subject-gone for the batch of a subject that no longer exists, and stores the others', () =>
    withStore(database(), async (store) => {
      await addSubjects(store.db, ['sub_a']);
      const writer = createEventWriter(store.db);
      const outcomes = await Promise.all([writer.write({ rows: rows('sub_a', 3) }), writer.write({ rows: rows('sub_erased', 2) }), writer.write({ rows: rows('sub_a', 4) })]);
      expect(outcomes).toEqual(['stored', 'subject-gone', 'stored']);
      const stored = await store.db.selectFrom('events').select('subject_id').execute();
      expect(stored).toHaveLength(7);
    }));

  it('refuses writes past the rows it may hold in memory', () =>
    withStore(database(), async (store) => {
      await addSubjects(store.db, ['sub_a']);
      const writer = createEventWriter(store.db, { maxPendingRows: 30 });
      const first = writer.write({ rows: rows('sub_a', 20) });
      const refused = writer.write({ rows: rows('sub_a', 20) });
      await expect(refused).rejects.toBeInstanceOf(VowError);
      await expect(refused).rejects.toMatchObject({ code: 'unavailable' });
      expect(await first).toBe('stored');
      expect(await writer.write({ rows: rows('sub_a', 20) })).toBe('stored');
    }));
});
