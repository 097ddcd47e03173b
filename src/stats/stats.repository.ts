/** SQL for statistics: the budget ledger, stored releases, and the per-subject aggregation of events. */
import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
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

export interface EventFilter {
  category?: string | undefined;
  name?: string | undefined;
  /** Inclusive lower bound on occurred_at (an ISO date or time). */
  from?: string | undefined;
  /** Exclusive upper bound on occurred_at. */
  before?: string | undefined;
  /** Only these subjects' events (those who consented to a consent-based purpose of the statistics); all when absent. */
  subjects?: readonly string[] | undefined;
}

/** One released cell before noise: the dimensions' values (in the query's order), the bounded sum, the subjects counted. */
export interface BoundedCellRow {
  values: (string | null)[];
  sum: bigint;
  subjects: number;
}

/**
 * The cells of a release with each subject's contribution bounded, in one statement:
 * the events are added up per subject and cell (a row counts its `event_count` events); a window numbers each subject's cells in
 * random order and only the first `maxCellsPerSubject` are kept; each kept (subject, cell)
 * adds at most `maxValue` (so 1 when counting subjects). Only the cells cross into
 * JavaScript, never the per-subject rows.
 *
 * The subject id is grouped as an expression (`subject_id || ''`): grouped by the bare
 * column, SQLite reads the events through their subject index, one random row access
 * each, instead of in one sequential scan followed by a sort.
 *
 * Day and month are prefixes of the ISO `occurred_at` text. The week comes back as its
 * number since Monday 1969-12-29 (`weekLabel` in aggregate-events.ts names it): the one
 * expression written per dialect, as day arithmetic has no portable SQL.
 */
export async function boundedCells(
  db: Kysely<Database>,
  options: { dimensions: readonly Dimension[]; filter: EventFilter; maxCellsPerSubject: number; maxValue: bigint },
): Promise<BoundedCellRow[]> {
  const day = sql<string>`substr(${sql.ref('occurred_at')}, 1, 10)`;
  const expressions: Record<Dimension, RawBuilder<string | null>> = {
    country: sql.ref<string | null>('country'),
    day,
    // Weeks since Monday 1969-12-29: a small integer sorts faster than a label, and both
    // dialects compute it from the day number (SQLite's julianday() is its cheapest date function).
    week: isPostgres(db)
      ? sql<string>`(cast(${day} as date) - date '1969-12-29') / 7`
      : sql<string>`cast((julianday(${day}) - 2440584.5) / 7 as integer)`,
    month: sql<string>`substr(${sql.ref('occurred_at')}, 1, 7)`,
    category: sql.ref<string | null>('category'),
    name: sql.ref<string | null>('name'),
  };
  const aliases = options.dimensions.map((_, index) => sql.id(`d${index}`));
  const selected = sql.join(options.dimensions.map((dimension, index) => sql`${expressions[dimension]} as ${aliases[index]}`));
  const dimensionList = sql.join(aliases);

  const conditions: RawBuilder<unknown>[] = [];
  const { filter } = options;
  // Compared as an expression, so that no planner walks the (category, occurred_at) index
  // row by row when the category is most of the table.
  if (filter.category !== undefined) conditions.push(sql`${sql.ref('category')} || '' = ${filter.category}`);
  if (filter.name !== undefined) conditions.push(sql`${sql.ref('name')} = ${filter.name}`);
  if (filter.from !== undefined) conditions.push(sql`${sql.ref('occurred_at')} >= ${filter.from}`);
  if (filter.before !== undefined) conditions.push(sql`${sql.ref('occurred_at')} < ${filter.before}`);
  // One JSON parameter however many subjects: no dialect's parameter limit is ever reached.
  if (filter.subjects !== undefined) {
    const list = JSON.stringify(filter.subjects);
    conditions.push(
      isPostgres(db)
        ? sql`${sql.ref('subject_id')} in (select jsonb_array_elements_text(cast(${list} as jsonb)))`
        : sql`${sql.ref('subject_id')} in (select value from json_each(${list}))`,
    );
  }
  const where = conditions.length === 0 ? sql`` : sql`where ${sql.join(conditions, sql` and `)}`;
  const maxValue = Number(options.maxValue);

  const result = await sql<Record<string, string | number | bigint | null>>`
    with per_subject as (
      select ${sql.ref('subject_id')}, ${dimensionList}, sum(${sql.ref('event_count')}) as events
      from (select ${sql.ref('subject_id')} || '' as ${sql.ref('subject_id')}, ${selected}, ${sql.ref('event_count')} from ${sql.table('events')} ${where}) as e
      group by ${sql.ref('subject_id')}, ${dimensionList}
    ), ranked as (
      select ${dimensionList}, events, row_number() over (partition by ${sql.ref('subject_id')} order by random()) as pick
      from per_subject
    )
    select ${dimensionList},
      sum(case when events > ${maxValue} then ${maxValue} else events end) as bounded,
      count(*) as subjects
    from ranked
    where pick <= ${options.maxCellsPerSubject}
    group by ${dimensionList}
  `.execute(db);
  // PostgreSQL answers sums and counts as numeric and bigint strings.
  return result.rows.map((row) => ({
    values: options.dimensions.map((_, index) => {
      const value = row[`d${index}`];
      return value === null || value === undefined ? null : String(value);
    }),
    sum: BigInt(row.bounded ?? 0),
    subjects: Number(row.subjects),
  }));
}

function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
