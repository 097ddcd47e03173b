import type { Config } from '../config.js';
import { parseReleaseQuery } from '../stats/release-query.js';
import { releaseFromRow, releaseStatistics, type StatisticsRelease } from '../stats/release-statistics.js';
import { listReleases } from '../stats/stats.repository.js';
import { openStore } from '../store/open-store.js';
import { declarationInForce } from './declaration-in-force.js';
import type { Io } from './io.js';

export interface StatsOptions {
  dimensions?: string;
  epsilon?: string;
  measure?: string;
  category?: string;
  name?: string;
  from?: string;
  to?: string;
  minSubjects?: number;
  maxCells?: number;
  maxValue?: number;
}

/**
 * `vow stats --dimensions country,week --epsilon 0.5`: one release with differential
 * privacy, charged to the budget of the events, stored, and printed as a table.
 */
export async function statsCommand(config: Config, io: Io, options: StatsOptions): Promise<number> {
  const query = parseReleaseQuery({
    dimensions: options.dimensions === undefined ? undefined : options.dimensions.split(',').map((dimension) => dimension.trim()),
    epsilon: options.epsilon,
    ...(options.measure !== undefined ? { measure: options.measure } : {}),
    ...(options.category !== undefined || options.name !== undefined ? { filter: { category: options.category, name: options.name } } : {}),
    ...(options.from !== undefined ? { from: options.from } : {}),
    ...(options.to !== undefined ? { to: options.to } : {}),
    ...(options.minSubjects !== undefined ? { minSubjects: options.minSubjects } : {}),
    ...(options.maxCells !== undefined ? { maxCellsPerSubject: options.maxCells } : {}),
    ...(options.maxValue !== undefined ? { maxValuePerCell: options.maxValue } : {}),
  });
  const store = await openStore(config);
  try {
    const declaration = await declarationInForce(store.db, config, io);
    const release = await releaseStatistics(store.db, { query, declaration, actor: 'cli' });
    io.out(formatRelease(release));
    io.out(`budget of ${release.dataset}: ${release.budget.spent} of ${release.budget.total} spent`);
    return 0;
  } finally {
    await store.close();
  }
}

/** `vow stats published`: every stored release, newest first, as released. */
export async function statsPublishedCommand(config: Config, io: Io, options: { limit: number }): Promise<number> {
  const store = await openStore(config);
  try {
    const releases = (await listReleases(store.db, { limit: options.limit })).map(releaseFromRow);
    io.out(releases.length === 0 ? 'no statistics released yet' : releases.map(formatRelease).join('\n\n'));
    return 0;
  } finally {
    await store.close();
  }
}

/** A release as a heading line and a table: one column per dimension, then the value. */
export function formatRelease(release: StatisticsRelease): string {
  const { query } = release;
  const heading =
    `${release.id}  ${release.createdAt}  ${query.measure} of ${release.dataset} by ${query.dimensions.join(', ')}` +
    `  ε=${release.epsilon}  ${release.mechanism.kind} scale ${release.mechanism.scale}  suppressed ${release.suppressed} cell(s) under ${query.minSubjects} subjects`;
  const head = [...query.dimensions, query.measure];
  const rows = release.cells.map((cell) => [...query.dimensions.map((dimension) => cell.key[dimension] ?? '-'), String(cell.value)]);
  return `${heading}\n${table(head, rows)}`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
