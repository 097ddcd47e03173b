import { expect, it } from 'vitest';
import { describeEachDatabase, withTwoStores } from '../../test/support/databases.js';
import type { Store } from '../store/open-store.js';
import { claimRun, findSchedule, recordResult } from './schedule.js';

const HOUR = 3_600_000;
const t0 = new Date('2026-06-15T12:00:00.000Z');
const later = (ms: number) => new Date(t0.getTime() + ms);


async function race(a: Store, b: Store, name: string, now: Date, interval = HOUR): Promise<number> {
  const claims = Array.from({ length: 20 }, (_, index) => claimRun((index % 2 === 0 ? a : b).db, { name, now, interval }));
  return (await Promise.all(claims)).filter(Boolean).length;
}

describeEachDatabase('the job schedule', (database) => {
  it('lets exactly one of many racing claims run a slot, and the next only after the interval', () =>
    withTwoStores(database(), async (a, b) => {
      // The first claim ever also races the insert of the job's row.
      expect(await race(a, b, 'retention', t0)).toBe(1);
      expect(await findSchedule(a.db, 'retention')).toEqual({
        name: 'retention',
        nextRunAt: later(HOUR).toISOString(),
        lastRunAt: t0.toISOString(),
        lastResult: null,
      });
      expect(await race(a, b, 'retention', t0)).toBe(0);
      expect(await race(a, b, 'retention', later(HOUR - 1))).toBe(0);
      expect(await race(a, b, 'retention', later(HOUR))).toBe(1);
      expect(await race(a, b, 'retention', later(HOUR + 1))).toBe(0);
      // A slot missed for a long time runs once, then the schedule counts from then.
      expect(await race(a, b, 'retention', later(10 * HOUR))).toBe(1);
      expect((await findSchedule(b.db, 'retention'))?.nextRunAt).toBe(later(11 * HOUR).toISOString());

      // Jobs are independent.
      expect(await race(a, b, 'other', later(HOUR + 1), 60_000)).toBe(1);

      await recordResult(a.db, 'retention', 'log-data=3; subjects erased=1');
      expect((await findSchedule(b.db, 'retention'))?.lastResult).toBe('log-data=3; subjects erased=1');
      await expect(claimRun(a.db, { name: 'x', now: t0, interval: 0 })).rejects.toThrow(RangeError);
    }));
});
