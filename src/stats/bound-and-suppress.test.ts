import { describe, expect, it } from 'vitest';
import { boundContributions, contributionSensitivity, suppressSmallCells, type ContributionRow } from './bound-and-suppress.js';

const row = (subjectId: string, key: string, value: bigint): ContributionRow => ({ subjectId, key, value });

describe('boundContributions', () => {
  it('sums a subject’s rows per cell, clamps to [0, maxValue] and counts distinct subjects', () => {
    const rows = [row('a', 'fr', 2n), row('a', 'fr', 2n), row('b', 'fr', 1n), row('c', 'fr', -5n), row('b', 'de', 9n)];
    expect(boundContributions(rows, { maxCellsPerSubject: 5, maxValue: 3n })).toEqual([
      { key: 'de', sum: 3n, subjects: 1 },
      { key: 'fr', sum: 3n + 1n + 0n, subjects: 3 },
    ]);
  });

  it('does not let negative rows cancel a subject’s positive ones past the bound', () => {
    const rows = [row('a', 'fr', 10n), row('a', 'fr', -10n)];
    expect(boundContributions(rows, { maxCellsPerSubject: 1, maxValue: 3n })).toEqual([{ key: 'fr', sum: 3n, subjects: 1 }]);
  });

  it('keeps each subject’s first cells when no selection key is given', () => {
    const rows = [row('a', 'c3', 1n), row('a', 'c1', 1n), row('a', 'c2', 1n), row('b', 'c2', 1n)];
    expect(boundContributions(rows, { maxCellsPerSubject: 2, maxValue: 1n })).toEqual([
      { key: 'c1', sum: 1n, subjects: 1 },
      { key: 'c2', sum: 1n, subjects: 1 },
      { key: 'c3', sum: 1n, subjects: 1 },
    ]);
  });

  it('with a selection key, keeps the same cells whatever the row order', () => {
    const selectionKey = new Uint8Array(32).fill(7);
    const rows = Array.from({ length: 20 }, (_, i) => row('a', `cell-${i}`, 1n));
    const forward = boundContributions(rows, { maxCellsPerSubject: 3, maxValue: 1n, selectionKey });
    const backward = boundContributions([...rows].reverse(), { maxCellsPerSubject: 3, maxValue: 1n, selectionKey });
    expect(forward).toHaveLength(3);
    expect(backward).toEqual(forward);
    const otherKey = boundContributions(rows, { maxCellsPerSubject: 3, maxValue: 1n, selectionKey: new Uint8Array(32).fill(8) });
    expect(otherKey).not.toEqual(forward);
  });

  it('bounds what any one subject can change to the stated sensitivity', () => {
    const bounds = { maxCellsPerSubject: 2, maxValue: 5n };
    const others = [row('b', 'x', 4n), row('c', 'y', 2n), row('c', 'x', 1n)];
    const heavy = [row('a', 'x', 100n), row('a', 'y', 100n), row('a', 'z', 100n), row('a', 'x', 100n)];
    const total = (cells: { sum: bigint }[]) => cells.reduce((sum, cell) => sum + cell.sum, 0n);
    const without = boundContributions(others, bounds);
    const withHeavy = boundContributions([...others, ...heavy], bounds);
    const { l1, l2Squared } = contributionSensitivity(bounds);
    expect(l1).toBe(10n);
    expect(l2Squared).toBe(50n);
    expect(total(withHeavy) - total(without)).toBeLessThanOrEqual(l1);
  });

  it('refuses bounds that bound nothing', () => {
    expect(() => boundContributions([], { maxCellsPerSubject: 0, maxValue: 1n })).toThrow(RangeError);
    expect(() => boundContributions([], { maxCellsPerSubject: 1.5, maxValue: 1n })).toThrow(RangeError);
    expect(() => boundContributions([], { maxCellsPerSubject: 1, maxValue: 0n })).toThrow(RangeError);
  });
});

describe('suppressSmallCells', () => {
  it('drops cells with fewer than k subjects and reports only how many', () => {
    const cells = [
      { key: 'fr', sum: 40n, subjects: 12 },
      { key: 'is', sum: 3n, subjects: 2 },
      { key: 'de', sum: 9n, subjects: 5 },
      { key: 'li', sum: 1n, subjects: 1 },
    ];
    const result = suppressSmallCells(cells, { minSubjects: 5 });
    expect(result).toEqual({ cells: [cells[0], cells[2]], suppressedCount: 2 });
    expect(Object.keys(result)).toEqual(['cells', 'suppressedCount']);
  });

  it('refuses a threshold below 1', () => {
    expect(() => suppressSmallCells([], { minSubjects: 0 })).toThrow(RangeError);
  });
});
