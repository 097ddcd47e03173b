import { describe, expect, it } from 'vitest';
import { Retention } from '../policy/declaration.js';
import { cutoff, parseDuration } from './retention-cutoff.js';

const at = (iso: string) => new Date(iso);
const minus = (now: string, period: string) => cutoff(at(now), period).toISOString();

describe('the retention cutoff', () => {
  it('subtracts years and months along the calendar', () => {
    expect(minus('2026-05-15T10:20:30.000Z', 'P2Y')).toBe('2024-05-15T10:20:30.000Z');
    expect(minus('2026-05-15T10:20:30.000Z', 'P13M')).toBe('2025-04-15T10:20:30.000Z');
    expect(minus('2026-01-10T00:00:00.000Z', 'P1M')).toBe('2025-12-10T00:00:00.000Z');
    expect(minus('2026-03-01T00:00:00.000Z', 'P1Y2M')).toBe('2025-01-01T00:00:00.000Z');
  });

  it('clamps the day to the end of a shorter month', () => {
    expect(minus('2026-03-31T12:00:00.000Z', 'P1M')).toBe('2026-02-28T12:00:00.000Z');
    expect(minus('2024-03-31T12:00:00.000Z', 'P1M')).toBe('2024-02-29T12:00:00.000Z');
    expect(minus('2024-02-29T00:00:00.000Z', 'P1Y')).toBe('2023-02-28T00:00:00.000Z');
    expect(minus('2026-07-31T00:00:00.000Z', 'P1M')).toBe('2026-06-30T00:00:00.000Z');
    expect(minus('2026-12-31T00:00:00.000Z', 'P10M')).toBe('2026-02-28T00:00:00.000Z');
  });

  it('subtracts weeks, days, hours, minutes and seconds exactly', () => {
    expect(minus('2026-03-01T00:00:00.000Z', 'P90D')).toBe('2025-12-01T00:00:00.000Z');
    expect(minus('2026-03-01T00:00:00.000Z', 'P1D')).toBe('2026-02-28T00:00:00.000Z');
    expect(minus('2026-03-15T00:00:00.000Z', 'P2W')).toBe('2026-03-01T00:00:00.000Z');
    expect(minus('2026-03-01T00:00:00.000Z', 'PT36H')).toBe('2026-02-27T12:00:00.000Z');
    expect(minus('2026-03-01T00:00:00.000Z', 'PT90M')).toBe('2026-02-28T22:30:00.000Z');
    expect(minus('2026-03-01T00:00:00.000Z', 'PT1.5S')).toBe('2026-02-28T23:59:58.500Z');
    expect(minus('2026-03-01T00:00:00.000Z', 'PT0,25S')).toBe('2026-02-28T23:59:59.750Z');
  });

  it('applies the calendar part first, then the exact part', () => {
    // 31 March − 1 month = 28 February, − 1 day = 27 February (not 30 March − 1 month).
    expect(minus('2026-03-31T00:00:00.000Z', 'P1M1D')).toBe('2026-02-27T00:00:00.000Z');
    expect(minus('2026-05-15T10:20:30.000Z', 'P1Y2M3DT4H5M6S')).toBe('2025-03-12T06:15:24.000Z');
  });

  it('returns now for a zero duration and does not change its argument', () => {
    const now = at('2026-05-15T10:20:30.000Z');
    expect(cutoff(now, 'P0D').toISOString()).toBe(now.toISOString());
    cutoff(now, 'P5Y');
    expect(now.toISOString()).toBe('2026-05-15T10:20:30.000Z');
  });

  it('parses every duration the declaration schema accepts and rejects the rest', () => {
    expect(parseDuration('P1Y2M3DT4H5M6S')).toEqual({ years: 1, months: 2, weeks: 0, days: 3, hours: 4, minutes: 5, seconds: 6 });
    expect(parseDuration('P3W')).toMatchObject({ weeks: 3, days: 0 });
    for (const period of ['P2Y', 'P13M', 'P90D', 'P2W', 'PT36H', 'PT1M', 'P1DT1S', 'PT0.5S']) {
      expect(Retention.safeParse({ period }).success, period).toBe(true);
      expect(() => parseDuration(period), period).not.toThrow();
    }
    for (const period of ['', 'P', 'PT', '2Y', 'P1.5Y', 'P-1D', 'P1W1D', 'P1H', 'p1y', 'P1Y ']) {
      expect(Retention.safeParse({ period }).success, period).toBe(false);
      expect(() => parseDuration(period), period).toThrow(RangeError);
    }
    expect(() => cutoff(new Date(Number.NaN), 'P1D')).toThrow(RangeError);
  });
});
