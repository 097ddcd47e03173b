/**
 * The two steps around the noise: bounding what one subject can contribute, which is
 * what makes the sensitivity (and so the noise scale) finite, and suppressing cells too
 * small to release.
 */
import { createHmac } from 'node:crypto';

export interface ContributionRow {
  subjectId: string;
  /** The cell: the chosen dimensions' values, encoded by the caller into one string. */
  key: string;
  value: bigint;
}

export interface ContributionBounds {
  /** How many distinct cells one subject may contribute to; a positive integer. */
  maxCellsPerSubject: number;
  /** The most one subject may add to one cell; 1n for "count subjects". */
  maxValue: bigint;
  /**
   * Which cells a subject keeps when over the limit: without a key, the first cells met
   * in `rows` order; with a key, those with the smallest HMAC-SHA256(key, subject, cell),
   * an order that is fixed for the key but unrelated to the data.
   */
  selectionKey?: Uint8Array;
}

export interface BoundedCell {
  key: string;
  /** The sum of the bounded contributions. */
  sum: bigint;
  /** How many distinct subjects contributed. */
  subjects: number;
}

/**
 * Aggregates rows into cells with each subject's influence bounded: a subject's rows in
 * one cell are summed (negative values counted as 0) and the total clamped to
 * [0, maxValue]; a subject keeps at most `maxCellsPerSubject` cells (see `selectionKey`)
 * and its other rows are dropped. One subject then moves the cell sums by at most
 * `contributionSensitivity(bounds)`. Cells come out sorted by key.
 *
 * @example
 * boundContributions(
 *   [{ subjectId: 'a', key: 'fr', value: 5n }, { subjectId: 'a', key: 'de', value: 1n }],
 *   { maxCellsPerSubject: 1, maxValue: 3n },
 * ); // [{ key: 'fr', sum: 3n, subjects: 1 }]
 */
export function boundContributions(rows: readonly ContributionRow[], bounds: ContributionBounds): BoundedCell[] {
  checkBounds(bounds);
  const perSubject = new Map<string, Map<string, bigint>>();
  for (const row of rows) {
    let cells = perSubject.get(row.subjectId);
    if (!cells) {
      cells = new Map();
      perSubject.set(row.subjectId, cells);
    }
    const previous = cells.get(row.key) ?? 0n;
    cells.set(row.key, clamp(previous + (row.value > 0n ? row.value : 0n), bounds.maxValue));
  }

  const totals = new Map<string, BoundedCell>();
  for (const [subjectId, cells] of perSubject) {
    for (const key of keptCells(subjectId, [...cells.keys()], bounds)) {
      const cell = totals.get(key) ?? { key, sum: 0n, subjects: 0 };
      cell.sum += cells.get(key) ?? 0n;
      cell.subjects += 1;
      totals.set(key, cell);
    }
  }
  return [...totals.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * How far one subject can move the bounded cell sums: L1 = cells × maxValue (for the
 * discrete Laplace) and L2² = cells × maxValue² (for the discrete Gaussian).
 */
export function contributionSensitivity(bounds: ContributionBounds): { l1: bigint; l2Squared: bigint } {
  checkBounds(bounds);
  const cells = BigInt(bounds.maxCellsPerSubject);
  return { l1: cells * bounds.maxValue, l2Squared: cells * bounds.maxValue * bounds.maxValue };
}

/**
 * Drops every cell with fewer than `minSubjects` distinct contributing subjects, and says
 * how many were dropped but not which.
 *
 * This is disclosure control on exact subject counts, not differential privacy: pair it
 * with noise, and remember that which cells exist is itself information when cell keys
 * come from the data.
 *
 * @example
 * suppressSmallCells([{ key: 'fr', sum: 9n, subjects: 9 }, { key: 'is', sum: 1n, subjects: 1 }], { minSubjects: 5 });
 * // { cells: [{ key: 'fr', sum: 9n, subjects: 9 }], suppressedCount: 1 }
 */
export function suppressSmallCells<Cell extends { subjects: number }>(
  cells: readonly Cell[],
  options: { minSubjects: number },
): { cells: Cell[]; suppressedCount: number } {
  if (!Number.isSafeInteger(options.minSubjects) || options.minSubjects < 1) {
    throw new RangeError(`minSubjects must be a positive integer, got ${options.minSubjects}`);
  }
  const kept = cells.filter((cell) => cell.subjects >= options.minSubjects);
  return { cells: kept, suppressedCount: cells.length - kept.length };
}

function keptCells(subjectId: string, keys: string[], bounds: ContributionBounds): string[] {
  if (keys.length <= bounds.maxCellsPerSubject) return keys;
  const { selectionKey } = bounds;
  if (!selectionKey) return keys.slice(0, bounds.maxCellsPerSubject);
  const ranked = keys.map((key) => ({ key, rank: selectionRank(selectionKey, subjectId, key) }));
  ranked.sort((a, b) => a.rank.compare(b.rank));
  return ranked.slice(0, bounds.maxCellsPerSubject).map(({ key }) => key);
}

/** HMAC over a length-prefixed subject id and the cell key, so no two pairs share an input. */
function selectionRank(selectionKey: Uint8Array, subjectId: string, key: string): Buffer {
  return createHmac('sha256', selectionKey).update(`${subjectId.length}:${subjectId}`).update(key).digest();
}

function clamp(value: bigint, max: bigint): bigint {
  return value > max ? max : value;
}

function checkBounds(bounds: ContributionBounds): void {
  if (!Number.isSafeInteger(bounds.maxCellsPerSubject) || bounds.maxCellsPerSubject < 1) {
    throw new RangeError(`maxCellsPerSubject must be a positive integer, got ${bounds.maxCellsPerSubject}`);
  }
  if (bounds.maxValue < 1n) throw new RangeError(`maxValue must be at least 1, got ${bounds.maxValue}`);
}
