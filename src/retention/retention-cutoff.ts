/**
 * When data collected (or last active, or closed) becomes too old to keep: the moment
 * a retention period before now. Pure, so the calendar rules are tested on their own.
 */

/** The ISO 8601-1 durations the declaration accepts (the same shape zod's `z.iso.duration()` checks). */
const DURATION = /^P(?:(\d+)W|(?!.*W)(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?)$/;

export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** Parses `P2Y`, `P13M`, `P90D`, `P2W`, `PT36H`, `P1Y2M3DT4H5M6.5S`; throws on anything else. */
export function parseDuration(period: string): Duration {
  const match = DURATION.exec(period);
  if (!match) throw new RangeError(`not an ISO 8601 duration: ${JSON.stringify(period)}`);
  const number = (index: number) => Number((match[index] ?? '0').replace(',', '.'));
  return {
    weeks: number(1),
    years: number(2),
    months: number(3),
    days: number(4),
    hours: number(5),
    minutes: number(6),
    seconds: number(7),
  };
}

/**
 * `now` minus `period`. Years and months move along the calendar (in UTC) and keep the
 * day of the month, clamped to the month's length: 31 March minus `P1M` is 28 or 29
 * February, 29 February minus `P1Y` is 28 February. Weeks, days and time are then
 * subtracted exactly (a UTC day is always 24 hours).
 *
 * @example cutoff(new Date('2026-03-31T12:00:00Z'), 'P1M') // 2026-02-28T12:00:00.000Z
 */
export function cutoff(now: Date, period: string): Date {
  const duration = parseDuration(period);
  const time = now.getTime();
  if (Number.isNaN(time)) throw new RangeError('cutoff: now is not a valid date');

  const months = duration.years * 12 + duration.months;
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const shifted = new Date(time);
  // Setting year, month and day in one call keeps an intermediate day 31 from overflowing into the next month.
  shifted.setUTCFullYear(year, month, Math.min(now.getUTCDate(), lastDay));

  const exact = ((duration.weeks * 7 + duration.days) * 24 + duration.hours) * 3_600_000 + duration.minutes * 60_000 + duration.seconds * 1000;
  return new Date(shifted.getTime() - Math.round(exact));
}
