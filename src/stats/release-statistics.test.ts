import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachDatabase, withStore, withTwoStores } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { VowError } from '../errors.js';
import type { Declaration } from '../policy/declaration.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import type { Database } from '../store/schema.js';
import { aggregateEvents, dayAfter, isoWeek } from './aggregate-events.js';
import { boundContributions } from './bound-and-suppress.js';
import { seededRandomSource } from './random-source.js';
import { parseReleaseQuery, type ReleaseQueryInput } from './release-query.js';
import { releaseFromRow, releaseStatistics } from './release-statistics.js';
import { findBudget, findRelease } from './stats.repository.js';

interface SeedEvent {
  subject: string;
  country?: string | null;
  day?: string;
  name?: string;
  category?: string;
  /** How many identical events. */
  times?: number;
  /** Stores the `times` events in one row (`event_count`), as the collector stores those of one request. */
  grouped?: boolean;
}

/** Subjects and events written straight into the tables, as the collector would have stored them. */
async function seed(db: Kysely<Database>, events: readonly SeedEvent[]): Promise<void> {
  const subjects = [...new Set(events.map((event) => event.subject))];
  const at = '2026-11-01T00:00:00.000Z';
  await db
    .insertInto('subjects')
    .values(subjects.map((id) => ({ id, kind: 'visitor', region: null, created_at: at, last_activity_at: at, closed_at: null })))
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
  const rows = events.flatMap((event) =>
    Array.from({ length: event.grouped ? 1 : (event.times ?? 1) }, () => ({
      id: `evt_${randomBytes(16).toString('base64url')}`,
      subject_id: event.subject,
      category: event.category ?? 'usage-data',
      name: event.name ?? 'page_view',
      occurred_at: `${event.day ?? '2026-11-20'}T12:00:00.000Z`,
      received_at: at,
      country: event.country === undefined ? 'FR' : event.country,
      data: '{}',
      event_count: event.grouped ? (event.times ?? 1) : 1,
    })),
  );
  for (let start = 0; start < rows.length; start += 500) await db.insertInto('events').values(rows.slice(start, start + 500)).execute();
}

const subjectIds = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `sub_${prefix}${String(index).padStart(4, '0')}`);

/** Epsilon so large that the noise is 0 except with probability about e^-10000: the exact values show through. */
const NOISELESS = '1000000';

async function declarations() {
  const { declaration } = await loadDeclaration(examplePolicy);
  const aggregation = declaration.aggregation;
  if (!aggregation) throw new Error('the example declares aggregation');
  const withBudget = (privacyBudget: string): Declaration => ({ ...declaration, aggregation: { ...aggregation, privacyBudget } });
  return { example: declaration, roomy: withBudget('100000000'), withBudget };
}

describeEachDatabase('statistics releases', (database) => {
  const release = (db: Kysely<Database>, declaration: Declaration, query: ReleaseQueryInput, seed = 'release') =>
    releaseStatistics(db, { query: parseReleaseQuery(query), declaration, actor: 'key:test', now: new Date('2026-11-25T00:00:00Z'), rng: seededRandomSource(seed) });

  it('charges the budget exactly: ten releases at 0.1 spend exactly 1, the eleventh is refused and neither stored nor charged', () =>
    withStore(database(), async (store) => {
      const { example } = await declarations();
      await seed(store.db, subjectIds('a', 12).map((subject) => ({ subject })));
      for (let index = 0; index < 10; index += 1) {
        const result = await release(store.db, example, { dimensions: ['country'], epsilon: '0.1' }, `r${index}`);
        expect(result.budget).toEqual({ total: '1', spent: index === 9 ? '1' : `0.${index + 1}` });
      }
      await expect(release(store.db, example, { dimensions: ['country'], epsilon: '0.1' })).rejects.toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining('release would pass the privacy budget of events: remaining 0') as unknown,
      });
      expect(await findBudget(store.db, 'events')).toEqual({ dataset: 'events', total: '1', spent: '1' });
      expect(await store.db.selectFrom('stats_releases').select('id').execute()).toHaveLength(10);
      const audited = await store.db.selectFrom('audit_log').select(['target', 'data']).where('action', '=', 'stats.released').execute();
      expect(audited).toHaveLength(10);
      expect(audited[0]?.target).toBe('dataset:events');
      expect(JSON.parse(audited[0]?.data ?? '{}')).toMatchObject({ epsilon: '0.1', cells: 1, suppressed: 0 });
      expect(audited.map((row) => row.data).join()).not.toContain('sub_');
      expect(await verifyAudit(store.db)).toMatchObject({ ok: true });
    }));

  // Two pools on PostgreSQL, as two processes hold; SQLite runs one transaction at a time
  // per file, and two connections in one thread would only wait on each other.
  it('lets only one of two concurrent releases through when both together would pass the budget', () =>
    withTwoStores(database(), async (a, twin) => {
      const b = database().dialect === 'postgres' ? twin : a;
      const { example } = await declarations();
      await seed(a.db, subjectIds('c', 12).map((subject) => ({ subject })));
      const both = (epsilon: string) =>
        Promise.allSettled([
          release(a.db, example, { dimensions: ['country'], epsilon }, 'a'),
          release(b.db, example, { dimensions: ['country'], epsilon }, 'b'),
        ]);
      // Both fit while the ledger is being created; then only one of the next two fits.
      expect((await both('0.3')).map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
      const next = await both('0.3');
      expect(next.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refusal: unknown = next.find((outcome) => outcome.status === 'rejected')?.reason;
      expect(refusal).toBeInstanceOf(VowError);
      expect((refusal as VowError).message).toContain('remaining 0.1 of 1, asked 0.3');
      expect(await findBudget(a.db, 'events')).toEqual({ dataset: 'events', total: '1', spent: '0.9' });
      expect(await a.db.selectFrom('stats_releases').select('id').execute()).toHaveLength(3);
    }));

  it('refuses a first release above the whole budget without creating the ledger, and names what remains', () =>
    withStore(database(), async (store) => {
      const { withBudget } = await declarations();
      await expect(release(store.db, withBudget('1/3'), { dimensions: ['country'], epsilon: '0.5' })).rejects.toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining('remaining 1/3') as unknown,
      });
      expect(await findBudget(store.db, 'events')).toBeUndefined();
      const third = await release(store.db, withBudget('1/3'), { dimensions: ['country'], epsilon: '1/3' });
      expect(third.budget).toEqual({ total: '1/3', spent: '1/3' });
    }));

  it('suppresses every cell with fewer than minSubjects distinct subjects', () =>
    withStore(database(), async (store) => {
      const { roomy } = await declarations();
      await seed(store.db, [
        ...subjectIds('fr', 12).map((subject) => ({ subject, country: 'FR', times: 3 })),
        ...subjectIds('is', 9).map((subject) => ({ subject, country: 'IS' })),
        { subject: 'sub_nocountry', country: null },
      ]);
      const result = await release(store.db, roomy, { dimensions: ['country'], epsilon: NOISELESS, minSubjects: 10 });
      expect(result.cells).toEqual([{ key: { country: 'FR' }, value: 36 }]);
      expect(result.suppressed).toBe(2);
      const lowered = await release(store.db, roomy, { dimensions: ['country'], measure: 'subjects', epsilon: NOISELESS, minSubjects: 9 });
      expect(lowered.cells).toEqual([
        { key: { country: 'FR' }, value: 12 },
        { key: { country: 'IS' }, value: 9 },
      ]);
      expect(lowered.suppressed).toBe(1);
    }));

  it('bounds what one subject adds to a cell, and to how many cells it counts', () =>
    withStore(database(), async (store) => {
      const { roomy } = await declarations();
      const others = subjectIds('o', 11);
      await seed(store.db, [...others.map((subject) => ({ subject })), { subject: 'sub_heavy', times: 1000 }]);
      const counted = await release(store.db, roomy, { dimensions: ['country'], epsilon: NOISELESS, maxValuePerCell: 10 });
      // 11 subjects with one event each, and the heavy one's 1,000 events counted as 10.
      expect(counted.cells).toEqual([{ key: { country: 'FR' }, value: 21 }]);
      expect(counted.mechanism).toEqual({ kind: 'discrete-laplace', scale: '0.0001' });

      // One subject active on 15 days counts in 10 of them at most.
      const days = Array.from({ length: 15 }, (_, index) => `2026-10-${String(index + 1).padStart(2, '0')}`);
      await seed(store.db, days.map((day) => ({ subject: 'sub_daily', day })));
      const daily = await release(store.db, roomy, { dimensions: ['day'], measure: 'subjects', from: '2026-10-01', to: '2026-10-15', epsilon: NOISELESS, minSubjects: 1, maxCellsPerSubject: 10 });
      expect(daily.cells).toHaveLength(10);
      expect(daily.cells.every((cell) => cell.value === 1)).toBe(true);
      expect(daily.suppressed).toBe(0);
    }));

  it('counts the events a row holds, bounded alike whether a subject sent them in one request or in many', () =>
    withStore(database(), async (store) => {
      const { roomy } = await declarations();
      await seed(store.db, [
        ...subjectIds('one', 6).map((subject) => ({ subject, times: 4 })),
        ...subjectIds('many', 6).map((subject) => ({ subject, times: 4, grouped: true })),
        { subject: 'sub_heavy', times: 1000, grouped: true },
      ]);
      const counted = await release(store.db, roomy, { dimensions: ['country'], epsilon: NOISELESS, maxValuePerCell: 10 });
      // 12 subjects with four events each, and the heavy one's 1,000 (in one row) counted as 10.
      expect(counted.cells).toEqual([{ key: { country: 'FR' }, value: 58 }]);
    }));

  it('bounds each subject once in SQL, as the reference bounding in JavaScript does, and keeps at most maxCellsPerSubject cells of each', () =>
    withStore(database(), async (store) => {
      const events: SeedEvent[] = [
        ...subjectIds('p', 12).flatMap((subject, index) => [
          { subject, country: index % 2 === 0 ? 'FR' : 'DE', day: '2026-11-02' },
          { subject, country: 'FR', day: '2026-11-10', times: 1 + (index % 3) },
          { subject, country: null, day: '2026-11-20' },
        ]),
        { subject: 'sub_heavy', day: '2026-11-10', times: 40 },
      ];
      await seed(store.db, events);
      const query = parseReleaseQuery({ dimensions: ['country', 'week'], epsilon: '1' });
      const bounds = { maxCellsPerSubject: 10, maxValue: 10n };
      const rows = events.flatMap((event) =>
        Array.from({ length: event.times ?? 1 }, () => ({
          subjectId: event.subject,
          key: JSON.stringify([event.country === undefined ? 'FR' : event.country, isoWeek(event.day ?? '2026-11-20')]),
          value: 1n,
        })),
      );
      const inSql = await aggregateEvents(store.db, query, bounds);
      expect(inSql).toEqual(boundContributions(rows, bounds));
      expect(inSql.find((cell) => cell.key === '["FR","2026-W46"]')).toEqual({ key: '["FR","2026-W46"]', sum: 24n + 10n, subjects: 13 });

      // Over the limit, a subject keeps exactly maxCellsPerSubject of its cells.
      const twoCells = await aggregateEvents(store.db, query, { maxCellsPerSubject: 2, maxValue: 10n });
      expect(twoCells.reduce((subjects, cell) => subjects + cell.subjects, 0)).toBe(12 * 2 + 1);
    }));

  it('numbers ISO weeks in SQL as ISO 8601 does, across year ends', () =>
    withStore(database(), async (store) => {
      const { roomy } = await declarations();
      const days = ['2020-12-31', '2021-01-03', '2021-01-04', '2026-12-28', '2027-01-01', '2027-01-04'];
      await seed(store.db, days.flatMap((day, index) => subjectIds(`y${index}`, 1).map((subject) => ({ subject, day }))));
      const weekly = await release(store.db, roomy, { dimensions: ['week', 'day'], measure: 'subjects', epsilon: NOISELESS, minSubjects: 1 });
      expect(weekly.cells.map((cell) => [cell.key.day, cell.key.week])).toEqual(
        [...days].sort().map((day) => [day, isoWeek(day)]).sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : 1)),
      );
      expect(weekly.cells.map((cell) => cell.key.week)).toEqual(['2020-W53', '2020-W53', '2021-W01', '2026-W53', '2026-W53', '2027-W01']);
    }));

  it('groups by ISO week, month, category and name with filters and an inclusive date range', () =>
    withStore(database(), async (store) => {
      const { roomy } = await declarations();
      const people = subjectIds('w', 10);
      await seed(store.db, [
        ...people.map((subject) => ({ subject, day: '2026-11-16' })),
        ...people.map((subject) => ({ subject, day: '2026-11-22' })),
        ...people.map((subject) => ({ subject, day: '2026-11-23', name: 'action' })),
        ...people.map((subject) => ({ subject, day: '2026-12-01', category: 'log-data', name: 'request' })),
      ]);
      const weekly = await release(store.db, roomy, { dimensions: ['week', 'name'], filter: { category: 'usage-data' }, epsilon: NOISELESS });
      expect(weekly.cells).toEqual([
        { key: { week: '2026-W47', name: 'page_view' }, value: 20 },
        { key: { week: '2026-W48', name: 'action' }, value: 10 },
      ]);
      const monthly = await release(store.db, roomy, { dimensions: ['month', 'category'], to: '2026-11-30', epsilon: NOISELESS });
      expect(monthly.cells).toEqual([{ key: { month: '2026-11', category: 'usage-data' }, value: 30 }]);
      const named = await release(store.db, roomy, { dimensions: ['day'], filter: { name: 'request' }, from: '2026-12-01', to: '2026-12-01', epsilon: NOISELESS });
      expect(named.cells).toEqual([{ key: { day: '2026-12-01' }, value: 10 }]);
    }));

  it('stores the release as returned, so reading it back gives the same noisy cells; the same seed gives the same noise', () =>
    withStore(database(), async (store) => {
      const { example } = await declarations();
      await seed(store.db, subjectIds('n', 40).map((subject, index) => ({ subject, country: index % 2 === 0 ? 'FR' : 'DE', times: 1 + (index % 3) })));
      const first = await release(store.db, example, { dimensions: ['country'], epsilon: '0.1' }, 'same seed');
      const again = await release(store.db, example, { dimensions: ['country'], epsilon: '0.1' }, 'same seed');
      expect(again.cells).toEqual(first.cells);
      const row = await findRelease(store.db, first.id);
      if (!row) throw new Error('release not stored');
      expect({ ...releaseFromRow(row), budget: first.budget }).toEqual(first);
      expect(first.query).toEqual({ dataset: 'events', measure: 'count', dimensions: ['country'], epsilon: '0.1', maxCellsPerSubject: 10, maxValuePerCell: 10, minSubjects: 10 });
      // Scale = L1 sensitivity / ε = (10 cells × 10) / 0.1.
      expect(first.mechanism).toEqual({ kind: 'discrete-laplace', scale: '1000' });
      expect(first.cells.every((cell) => Number.isInteger(cell.value) && cell.value >= 0)).toBe(true);
    }));

  it('refuses when the declaration declares no aggregation', () =>
    withStore(database(), async (store) => {
      const { example } = await declarations();
      const silent: Declaration = { ...example, aggregation: undefined };
      await expect(release(store.db, silent, { dimensions: ['country'], epsilon: '0.1' })).rejects.toMatchObject({ code: 'forbidden' });
    }));
});

describe('release queries', () => {
  it('fills in defaults and writes epsilon exactly', () => {
    expect(parseReleaseQuery({ dimensions: ['country', 'week'], epsilon: '0.50', filter: {} })).toEqual({
      dataset: 'events',
      measure: 'count',
      dimensions: ['country', 'week'],
      epsilon: '0.5',
      maxCellsPerSubject: 10,
      maxValuePerCell: 10,
      minSubjects: 10,
    });
  });

  it.each([
    [{ dimensions: [], epsilon: '1' }, 'dimensions'],
    [{ dimensions: ['country', 'day', 'week', 'month'], epsilon: '1' }, 'dimensions'],
    [{ dimensions: ['country', 'country'], epsilon: '1' }, 'dimensions'],
    [{ dimensions: ['subject_id'], epsilon: '1' }, 'dimensions.0'],
    [{ dimensions: ['country'], epsilon: '0' }, 'epsilon'],
    [{ dimensions: ['country'], epsilon: '-1' }, 'epsilon'],
    [{ dimensions: ['country'], epsilon: 'NaN' }, 'epsilon'],
    [{ dimensions: ['country'] }, 'epsilon'],
    [{ dimensions: ['country'], epsilon: '1', measure: 'sum' }, 'measure'],
    [{ dimensions: ['country'], epsilon: '1', dataset: 'subjects' }, 'dataset'],
    [{ dimensions: ['country'], epsilon: '1', minSubjects: 0 }, 'minSubjects'],
    [{ dimensions: ['country'], epsilon: '1', from: '2026-12-01', to: '2026-11-01' }, 'to'],
    [{ dimensions: ['country'], epsilon: '1', from: '2026-13-01' }, 'from'],
    [{ dimensions: ['country'], epsilon: '1', extra: true }, ''],
  ])('refuses %j naming %s', (input, field) => {
    let problems: { path: string }[] = [];
    try {
      parseReleaseQuery(input);
    } catch (error) {
      problems = (error as { problems: { path: string }[] }).problems;
    }
    expect(problems.map((problem) => problem.path)).toContain(field);
  });
});

describe('calendar helpers', () => {
  it.each([
    ['2026-11-20', '2026-W47'],
    ['2026-01-01', '2026-W01'],
    ['2027-01-01', '2026-W53'],
    ['2021-01-03', '2020-W53'],
    ['2024-12-30', '2025-W01'],
    ['2025-12-28', '2025-W52'],
    ['not a day', null],
  ])('the ISO week of %s is %s', (day, week) => {
    expect(isoWeek(day)).toBe(week);
  });

  it('finds the next day across months and leap days', () => {
    expect(dayAfter('2028-02-28')).toBe('2028-02-29');
    expect(dayAfter('2026-12-31')).toBe('2027-01-01');
  });
});
