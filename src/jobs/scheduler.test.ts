import { expect, it } from 'vitest';
import { describeEachDatabase, withStore, withTwoStores } from '../../test/support/databases.js';
import { findSchedule } from './schedule.js';
import { startScheduler, type SchedulerLog } from './scheduler.js';

const HOUR = 3_600_000;


const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describeEachDatabase('the scheduler', (database) => {
  it('runs a due job on a tick, once across two schedulers, and records its result', () =>
    withTwoStores(database(), async (a, b) => {
      const runs: Date[] = [];
      const log: SchedulerLog = () => undefined;
      const job = {
        name: 'tidy',
        interval: HOUR,
        run: async (now: Date) => {
          runs.push(now);
          return `ran ${runs.length}`;
        },
      };
      const first = startScheduler({ db: a.db, jobs: [job], tickMs: 5, log });
      const second = startScheduler({ db: b.db, jobs: [job], tickMs: 5, log });
      await until(async () => (await findSchedule(a.db, 'tidy'))?.lastResult === 'ran 1');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await Promise.all([first.stop(), second.stop()]);
      expect(runs).toHaveLength(1);
    }));

  it('logs a failing job without throwing, records the failure, and keeps ticking other jobs', () =>
    withStore(database(), async ({ db }) => {
      const logged: { level: string; message: string; details: Record<string, unknown> }[] = [];
      let fine = 0;
      const scheduler = startScheduler({
        db,
        tickMs: 5,
        log: (level, message, details) => logged.push({ level, message, details }),
        jobs: [
          { name: 'broken', interval: HOUR, run: () => Promise.reject(new Error('disk on fire')) },
          { name: 'fine', interval: 1, run: async () => `fine ${++fine}` },
        ],
      });
      await until(() => fine >= 3);
      await scheduler.stop();
      const failures = logged.filter((entry) => entry.level === 'error');
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ message: 'job broken failed', details: { job: 'broken', err: new Error('disk on fire') } });
      expect((await findSchedule(db, 'broken'))?.lastResult).toBe('failed: disk on fire');
      expect(logged.some((entry) => entry.level === 'info' && entry.details.result === 'fine 1')).toBe(true);
    }));

  it('stop() waits for a running job and no job starts afterwards', () =>
    withStore(database(), async ({ db }) => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let started = 0;
      let finished = 0;
      const scheduler = startScheduler({
        db,
        tickMs: 5,
        log: () => undefined,
        jobs: [
          {
            name: 'slow',
            interval: 1,
            run: async () => {
              started += 1;
              await gate;
              finished += 1;
              return 'done';
            },
          },
        ],
      });
      await until(() => started === 1);
      let stopped = false;
      const stopping = scheduler.stop().then(() => {
        stopped = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(finished).toBe(1);
      expect((await findSchedule(db, 'slow'))?.lastResult).toBe('done');
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(started).toBe(1);
    }));
});
