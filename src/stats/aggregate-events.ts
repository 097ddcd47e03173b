/**
 * The exact (not yet noisy) cells of a release over the events. SQL reads the events a
 * page at a time in id order (close to the order they were written, so nearly sequential
 * on both dialects) and groups each page by subject and the chosen dimensions; the pages
 * are folded into each subject's cells, whose contributions are then bounded and summed.
 * Memory grows with the distinct (subject, cell) pairs, never with the events.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { boundContributions, type BoundedCell, type ContributionBounds, type ContributionRow } from './bound-and-suppress.js';
import type { Dimension, ReleaseQuery } from './release-query.js';
import { eventGroups, eventPageEnd, groupColumnsFor, type EventGroup } from './stats.repository.js';

/** Events per aggregation query. */
const EVENT_PAGE = 100_000;

/** One cell's coordinates: the chosen dimensions' values, in the query's order. */
export type CellKey = Partial<Record<Dimension, string | null>>;

/**
 * Sums each cell over the subjects, each subject's contribution bounded by `bounds`
 * (for `subjects`, every subject adds 1 to each of its cells). Cells come out sorted by
 * key, with their exact subject counts for suppression.
 */
export async function aggregateEvents(
  db: Kysely<Database>,
  query: ReleaseQuery,
  bounds: ContributionBounds,
  options: { pageSize?: number } = {},
): Promise<BoundedCell[]> {
  const pageSize = options.pageSize ?? EVENT_PAGE;
  const columns = groupColumnsFor(query.dimensions);
  const filter = {
    category: query.filter?.category,
    name: query.filter?.name,
    from: query.from,
    before: query.to === undefined ? undefined : dayAfter(query.to),
  };
  const keyOf = cellKeyEncoder(query.dimensions);
  // subject → cell key → events: a subject's events may fall on many pages.
  const perSubject = new Map<string, Map<string, number>>();
  let after: string | undefined;
  for (;;) {
    const last = await eventPageEnd(db, after, pageSize);
    for (const group of await eventGroups(db, { after, last }, columns, filter)) {
      let cells = perSubject.get(group.subject_id);
      if (!cells) {
        cells = new Map();
        perSubject.set(group.subject_id, cells);
      }
      const key = keyOf(group);
      cells.set(key, (cells.get(key) ?? 0) + Number(group.events));
    }
    if (last === undefined) break;
    after = last;
  }

  const rows: ContributionRow[] = [];
  for (const [subjectId, cells] of perSubject) {
    for (const [key, events] of cells) rows.push({ subjectId, key, value: query.measure === 'subjects' ? 1n : BigInt(events) });
  }
  perSubject.clear();
  return boundContributions(rows, bounds);
}

/** Reads a cell key made by `aggregateEvents` back into its coordinates. */
export function decodeCellKey(dimensions: readonly Dimension[], key: string): CellKey {
  const values = JSON.parse(key) as (string | null)[];
  return Object.fromEntries(dimensions.map((dimension, index) => [dimension, values[index] ?? null]));
}

/** Encodes a group's values for the chosen dimensions as one string (a JSON array), weeks derived from days. */
function cellKeyEncoder(dimensions: readonly Dimension[]): (group: EventGroup) => string {
  const weeks = new Map<string, string | null>();
  const weekOf = (day: string | null): string | null => {
    if (day === null) return null;
    let week = weeks.get(day);
    if (week === undefined) {
      week = isoWeek(day);
      weeks.set(day, week);
    }
    return week;
  };
  const pick: Record<Dimension, (group: EventGroup) => string | null> = {
    country: (group) => group.country ?? null,
    day: (group) => group.day ?? null,
    week: (group) => weekOf(group.day ?? null),
    month: (group) => group.month ?? null,
    category: (group) => group.category ?? null,
    name: (group) => group.name ?? null,
  };
  const pickers = dimensions.map((dimension) => pick[dimension]);
  return (group) => JSON.stringify(pickers.map((value) => value(group)));
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

/** The day after a `YYYY-MM-DD` day, as `YYYY-MM-DD`: the exclusive end of an inclusive `to`. */
export function dayAfter(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}
