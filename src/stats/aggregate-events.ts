/**
 * The exact (not yet noisy) cells of a release over the events. The database does the
 * whole aggregation, each subject's contribution bounded inside the one statement
 * (`boundedCells`): only the cells come back, so a release costs about one scan and sort
 * of the events, and its memory grows with the cells, never with the events or subjects.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { BoundedCell, ContributionBounds } from './bound-and-suppress.js';
import type { Dimension, ReleaseQuery } from './release-query.js';
import { boundedCells } from './stats.repository.js';

/** One cell's coordinates: the chosen dimensions' values, in the query's order. */
export type CellKey = Partial<Record<Dimension, string | null>>;

/**
 * Sums each cell over the subjects, each subject's contribution bounded by `bounds`: at
 * most `maxValue` per cell (for `subjects`, every subject adds 1 to each of its cells),
 * in at most `maxCellsPerSubject` cells, chosen at random when it has more; only the events
 * of `subjects` when given. Cells come out
 * sorted by key (a JSON array of the dimensions' values), with their exact subject counts
 * for suppression.
 */
export async function aggregateEvents(
  db: Kysely<Database>,
  query: ReleaseQuery,
  bounds: ContributionBounds,
  subjects?: readonly string[],
): Promise<BoundedCell[]> {
  const rows = await boundedCells(db, {
    dimensions: query.dimensions,
    filter: {
      category: query.filter?.category,
      name: query.filter?.name,
      from: query.from,
      before: query.to === undefined ? undefined : dayAfter(query.to),
      subjects,
    },
    maxCellsPerSubject: bounds.maxCellsPerSubject,
    maxValue: query.measure === 'subjects' ? 1n : bounds.maxValue,
  });
  const weekAt = query.dimensions.indexOf('week');
  const cells = rows.map((row) => {
    const values = weekAt < 0 ? row.values : row.values.map((value, index) => (index === weekAt && value !== null ? weekLabel(Number(value)) : value));
    return { key: JSON.stringify(values), sum: row.sum, subjects: row.subjects };
  });
  return cells.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Reads a cell key made by `aggregateEvents` back into its coordinates. */
export function decodeCellKey(dimensions: readonly Dimension[], key: string): CellKey {
  const values = JSON.parse(key) as (string | null)[];
  return Object.fromEntries(dimensions.map((dimension, index) => [dimension, values[index] ?? null]));
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * The ISO 8601 week of a `YYYY-MM-DD` day: weeks start on Monday and week 1 holds the
 * year's first Thursday, so a week belongs to the year of its Thursday. Null for text that
 * is not a day.
 *
 * @example
 * isoWeek('2026-11-20'); // '2026-W47'
 * isoWeek('2027-01-01'); // '2026-W53'
 */
export function isoWeek(day: string): string | null {
  const match = DAY.exec(day);
  if (!match) return null;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(time)) return null;
  const mondayBased = (new Date(time).getUTCDay() + 6) % 7;
  const thursday = new Date(time + (3 - mondayBased) * DAY_MS);
  const year = thursday.getUTCFullYear();
  // Whole days since 1 January (UTC days are exact multiples of DAY_MS); bigints, as everywhere in stats/.
  const elapsedMs: bigint = BigInt(thursday.getTime() - Date.UTC(year, 0, 1));
  const ordinal: bigint = elapsedMs / 86_400_000n;
  const week = ordinal / 7n + 1n;
  return `${year}-W${week.toString().padStart(2, '0')}`;
}

/** Monday 1969-12-29, from which the SQL numbers weeks. */
const FIRST_MONDAY_MS = Date.UTC(1969, 11, 29);

/**
 * The ISO week of the `number`-th week since Monday 1969-12-29, as the SQL numbers them.
 *
 * @example
 * weekLabel(2968); // '2026-W47'
 */
export function weekLabel(number: number): string | null {
  return isoWeek(new Date(FIRST_MONDAY_MS + number * 7 * DAY_MS).toISOString().slice(0, 10));
}

/** The day after a `YYYY-MM-DD` day, as `YYYY-MM-DD`: the exclusive end of an inclusive `to`. */
export function dayAfter(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}
