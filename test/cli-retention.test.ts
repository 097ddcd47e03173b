import { expect, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.js';
import { openStore } from '../src/store/open-store.js';
import { describeEachDatabase, type TestDatabase } from './support/databases.js';
import { fixture } from './support/fixtures.js';

async function vow(database: TestDatabase, env: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, database.config(env), { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

describeEachDatabase('vow retention run', (database) => {
  it('deletes what is past retention now and prints the counts per category', async () => {
    const store = await openStore(database().config());
    try {
      const { db } = store;
      await db.insertInto('subjects').values({ id: 's-1', kind: 'account', region: null, created_at: daysAgo(900), last_activity_at: daysAgo(2), closed_at: null }).execute();
      await db.insertInto('subject_keys').values({ subject_id: 's-1', wrapped: 'w', master_key_id: 'mk', created_at: daysAgo(900) }).execute();
      const record = (id: string, category: string, collectedAt: string) =>
        db.insertInto('vault_records').values({ id, subject_id: 's-1', category, source: 'automatic', collected_at: collectedAt, updated_at: collectedAt, data: '{}' }).execute();
      await record('r-1', 'log-data', daysAgo(120));
      await record('r-2', 'log-data', daysAgo(100));
      await record('r-3', 'analytics', daysAgo(30));
    } finally {
      await store.close();
    }

    const first = await vow(database(), {}, 'retention', 'run');
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out.split('\n')).toEqual([
      'account: 0 deleted',
      'communication: 0 deleted',
      'social: 0 deleted',
      'social-analytics: 0 deleted',
      'log-data: 2 deleted',
      'usage-data: 0 deleted',
      'device-information: 0 deleted',
      'cookies: 0 deleted',
      'analytics: 0 deleted',
      'subjects erased: 0',
    ]);

    // A declaration without the analytics category leaves that record alone (and so its subject):
    // retention only applies periods that are declared.
    const minimal = await vow(database(), { VOW_POLICY: fixture('minimal.policy.yaml') }, 'retention', 'run');
    expect(minimal).toMatchObject({ code: 0, out: 'account: 0 deleted\nsubjects erased: 0' });

    const audit = await vow(database(), {}, 'audit', 'verify');
    expect(audit).toMatchObject({ code: 0, out: expect.stringMatching(/^OK 2 records/) as unknown });

    const missing = await vow(database(), { VOW_POLICY: 'nowhere.yaml' }, 'retention', 'run');
    expect(missing).toMatchObject({ code: 1, err: 'declaration nowhere.yaml: no such file' });
  });
});
