/** SQL for statistics: the budget ledger, stored releases, and the per-subject aggregation of events. */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Dimension } from './release-query.js';

export interface BudgetRow {
  dataset: string;
  total: string;
  spent: string;
}

/** Creates the data set's ledger with `total` and nothing spent, unless it exists already. */
export async function ensureBudget(db: Kysely<Database>, dataset: string, total: string): Promise<void> {
  await db
    .insertInto('stats_budgets')
    .values({ dataset, total, spent: '0' })
    .onConflict((conflict) => conflict.column('dataset').doNothing())
    .execute();
}

export async function findBudget(db: Kysely<Database>, dataset: string): Promise<BudgetRow | undefined> {
  return db.selectFrom('stats_budgets').select(['dataset', 'total', 'spent']).where('dataset', '=', dataset).executeTakeFirst();
}

export async function listBudgets(db: Kysely<Database>): Promise<BudgetRow[]> {
  return db.selectFrom('stats_budgets').select(['dataset', 'total', 'spent']).orderBy('dataset').execute();
}

/**
 * Moves `spent` from `before` to `after` only if no one else moved it meanwhile; false
 * when another release got there first (the caller reads again and retries).
 */
export async function updateSpent(db: Kysely<Database>, dataset: string, before: string, after: string): Promise<boolean> {
  const result = await db.updateTable('stats_budgets').set({ spent: after }).where('dataset', '=', dataset).where('spent', '=', before).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export interface ReleaseRow {
  id: string;
  dataset: string;
  query: string;
  epsilon: string;
  mechanism: string;
  createdAt: string;
  cells: string;
  suppressed: number;
  actor: string;
}

export async function insertRelease(db: Kysely<Database>, row: ReleaseRow): Promise<void> {
  await db
    .insertInto('stats_releases')
    .values({
      id: row.id,
      dataset: row.dataset,
      query: row.query,
      epsilon: row.epsilon,
      mechanism: row.mechanism,
      created_at: row.createdAt,
      cells: row.cells,
      suppressed: row.suppressed,
      actor: row.actor,
    })
    .execute();
}

const releaseColumns = ['id', 'dataset', 'query', 'epsilon', 'mechanism', 'created_at', 'cells', 'suppressed', 'actor'] as const;

function toReleaseRow(row: Database['stats_releases']): ReleaseRow {
  return {
    id: row.id,
    dataset: row.dataset,
    query: row.query,
    epsilon: row.epsilon,
    mechanism: row.mechanism,
    createdAt: row.created_at,
    cells: row.cells,
    suppressed: row.suppressed,
    actor: row.actor,
  };
}

/** Stored releases, newest first; `before` (a release id) pages back from that release. */
export async function listReleases(db: Kysely<Database>, options: { limit: number; before?: { createdAt: string; id: string } }): Promise<ReleaseRow[]> {
  let query = db.selectFrom('stats_releases').select(releaseColumns);
  const { before } = options;
  if (before) {
    query = query.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]));
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  return rows.map(toReleaseRow);
}

export async function findRelease(db: Kysely<Database>, id: string): Promise<ReleaseRow | undefined> {
  const row = await db.selectFrom('stats_releases').select(releaseColumns).where('id', '=', id).executeTakeFirst();
  return row ? toReleaseRow(row) : undefined;
}

/**
 * The id of the `count`-th event after `after` in id order (the end of a page of events),
 * or undefined when fewer remain. Event ids grow with the time they were received, so id
 * order is close to the order rows were written in: pages read the table nearly in
 * sequence on both dialects.
 */
export async function eventPageEnd(db: Kysely<Database>, after: string | undefined, count: number): Promise<string | undefined> {
  let query = db.selectFrom('events').select('id');
  if (after !== undefined) query = query.where('id', '>', after);
  const row = await query.orderBy('id').limit(1).offset(count - 1).executeTakeFirst();
  return row?.id;
}

export interface EventGroupFilter {
  category?: string | undefined;
  name?: string | undefined;
  /** Inclusive lower bound on occurred_at (an ISO date or time). */
  from?: string | undefined;
  /** Exclusive upper bound on occurred_at. */
  before?: string | undefined;
}

/** One subject's events in one combination of the grouped columns, within one page; only the grouped columns are present. */
export interface EventGroup {
  subject_id: string;
  country?: string | null;
  /** YYYY-MM-DD (UTC), when grouping by day or week. */
  day?: string | null;
  /** YYYY-MM, when grouping by month. */
  month?: string | null;
  category?: string | null;
  name?: string | null;
  events: string | number | bigint;
}

/** The SQL columns a release groups by: the day serves both day and week (weeks are derived from days). */
export type GroupColumn = 'country' | 'day' | 'month' | 'category' | 'name';

export function groupColumnsFor(chosen: readonly Dimension[]): GroupColumn[] {
  const columns = new Set<GroupColumn>(chosen.map((dimension) => (dimension === 'week' ? 'day' : dimension)));
  return [...columns];
}

/**
 * The events with ids in (after, last] (unbounded where undefined), grouped by subject and
 * the given columns, with a count per group. Day and month are prefixes of the ISO
 * `occurred_at` text (`substr`, the same on both dialects). Only the grouped columns are
 * selected: every row crosses into JavaScript, and narrower rows cost less.
 */
export async function eventGroups(
  db: Kysely<Database>,
  page: { after: string | undefined; last: string | undefined },
  columns: readonly GroupColumn[],
  filter: EventGroupFilter,
): Promise<EventGroup[]> {
  const chosen = new Set(columns);
  const expressions = {
    country: sql.ref<string | null>('country'),
    day: sql<string | null>`substr(${sql.ref('occurred_at')}, 1, 10)`,
    month: sql<string | null>`substr(${sql.ref('occurred_at')}, 1, 7)`,
    category: sql.ref<string | null>('category'),
    name: sql.ref<string | null>('name'),
  } satisfies Record<GroupColumn, RawBuilder<string | null>>;

  let query = db
    .selectFrom('events')
    .select((eb) => ['subject_id', eb.fn.countAll().as('events')])
    .$if(chosen.has('country'), (qb) => qb.select(expressions.country.as('country')))
    .$if(chosen.has('day'), (qb) => qb.select(expressions.day.as('day')))
    .$if(chosen.has('month'), (qb) => qb.select(expressions.month.as('month')))
    .$if(chosen.has('category'), (qb) => qb.select(expressions.category.as('category')))
    .$if(chosen.has('name'), (qb) => qb.select(expressions.name.as('name')));
  if (page.after !== undefined) query = query.where('id', '>', page.after);
  if (page.last !== undefined) query = query.where('id', '<=', page.last);
  // Compared as an expression so that no planner reads the page through the (category,
  // occurred_at) index, which would walk the whole category once per page.
  if (filter.category !== undefined) query = query.where(sql<string>`${sql.ref('category')} || ''`, '=', filter.category);
  if (filter.name !== undefined) query = query.where('name', '=', filter.name);
  if (filter.from !== undefined) query = query.where('occurred_at', '>=', filter.from);
  if (filter.before !== undefined) query = query.where('occurred_at', '<', filter.before);
  return query.groupBy(['subject_id', ...columns.map((name) => expressions[name])]).execute();
}
