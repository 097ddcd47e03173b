import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { createVow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { runCli } from '../src/cli/run-cli.js';
import { seededRandomSource } from '../src/stats/random-source.js';
import type { Database } from '../src/store/schema.js';
import { describeEachDatabase, type TestDatabase } from './support/databases.js';
import { examplePolicy } from './support/fixtures.js';

interface ErrorJson {
  error: { code: string; message: string; problems?: { path: string; message: string }[] };
}
interface ReleaseJson {
  id: string;
  epsilon: string;
  cells: { key: Record<string, string | null>; value: number }[];
  suppressed: number;
  budget: { total: string; spent: string };
}

/** `count` subjects in `country`, each with `events` page views on 2026-11-20. */
async function seedCountry(db: Kysely<Database>, country: string, count: number, events = 1): Promise<void> {
  const at = '2026-11-20T12:00:00.000Z';
  for (let index = 0; index < count; index += 1) {
    const subject = `sub_${country}${randomBytes(15).toString('base64url').slice(0, 20)}`;
    await db.insertInto('subjects').values({ id: subject, kind: 'visitor', region: null, created_at: at, last_activity_at: at, closed_at: null }).execute();
    const rows = Array.from({ length: events }, () => ({
      id: `evt_${randomBytes(16).toString('base64url')}`,
      subject_id: subject,
      category: 'usage-data',
      name: 'page_view',
      occurred_at: at,
      received_at: at,
      country,
      data: '{}',
    }));
    await db.insertInto('events').values(rows).execute();
  }
}

/** The example declaration with a privacy budget large enough for releases without visible noise. */
function roomyPolicy(database: TestDatabase): string {
  const file = join(database.dataDir, 'roomy.policy.yaml');
  const text = readFileSync(examplePolicy, 'utf8');
  if (!text.includes("privacyBudget: '1'")) throw new Error('the example sets privacyBudget');
  writeFileSync(file, text.replace("privacyBudget: '1'", "privacyBudget: '100000000'"));
  return file;
}

describeEachDatabase('statistics over HTTP and the CLI', (database) => {
  it('releases only with stats:release, charges the budget exactly, and refuses the release that would pass it', async () => {
    const vow = await createVow(database().config(), { statsRandom: seededRandomSource('stats-http') });
    try {
      const { server } = vow;
      await seedCountry(vow.store.db, 'FR', 12);
      const officer = (await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret;
      const support = (await issueApiKey(vow.store.db, { role: 'support', purposes: [], actor: 'test' })).secret;
      const payload = { dimensions: ['country'], epsilon: '0.1' };

      expect((await server.inject({ method: 'POST', url: '/v1/stats', payload })).statusCode).toBe(401);
      expect((await server.inject({ method: 'POST', url: '/v1/stats', headers: { authorization: `Bearer ${support}` }, payload })).statusCode).toBe(403);
      expect((await server.inject({ method: 'GET', url: '/v1/stats/budget', headers: { authorization: `Bearer ${support}` } })).statusCode).toBe(403);

      const fresh = await server.inject({ method: 'GET', url: '/v1/stats/budget', headers: { authorization: `Bearer ${officer}` } });
      expect(fresh.json()).toEqual({ budgets: [{ dataset: 'events', total: '1', spent: '0', remaining: '1' }] });

      for (let index = 1; index <= 10; index += 1) {
        const made = await server.inject({ method: 'POST', url: '/v1/stats', headers: { authorization: `Bearer ${officer}` }, payload });
        expect(made.statusCode, made.body).toBe(201);
        expect(made.json<ReleaseJson>().budget).toEqual({ total: '1', spent: index === 10 ? '1' : `0.${index}` });
      }
      const refused = await server.inject({ method: 'POST', url: '/v1/stats', headers: { authorization: `Bearer ${officer}` }, payload });
      expect(refused.statusCode).toBe(403);
      expect(refused.json<ErrorJson>().error.message).toContain('release would pass the privacy budget of events: remaining 0');

      const budget = await server.inject({ method: 'GET', url: '/v1/stats/budget', headers: { authorization: `Bearer ${officer}` } });
      expect(budget.json()).toEqual({ budgets: [{ dataset: 'events', total: '1', spent: '1', remaining: '0' }] });
      const published = await server.inject({ method: 'GET', url: '/v1/stats/published?limit=200' });
      expect(published.json<{ releases: unknown[] }>().releases).toHaveLength(10);
    } finally {
      await vow.close();
    }
  });

  it('publishes stored releases to anyone, identically on every read, with small cells suppressed and bounds applied', async () => {
    const vow = await createVow(database().config({ VOW_POLICY: roomyPolicy(database()) }));
    try {
      const { server } = vow;
      await seedCountry(vow.store.db, 'FR', 11);
      await seedCountry(vow.store.db, 'DE', 1, 1000);
      await seedCountry(vow.store.db, 'DE', 10);
      await seedCountry(vow.store.db, 'IS', 4);
      const admin = (await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret;

      const made = await server.inject({
        method: 'POST',
        url: '/v1/stats',
        headers: { authorization: `Bearer ${admin}` },
        payload: { dimensions: ['country', 'week'], epsilon: '1000000', minSubjects: 10, maxValuePerCell: 10 },
      });
      expect(made.statusCode, made.body).toBe(201);
      const release = made.json<ReleaseJson>();
      // DE: ten subjects with one event and one with 1,000 counted as 10; IS (4 subjects) suppressed.
      expect(release.cells).toEqual([
        { key: { country: 'DE', week: '2026-W47' }, value: 20 },
        { key: { country: 'FR', week: '2026-W47' }, value: 11 },
      ]);
      expect(release.suppressed).toBe(1);

      const one = await server.inject({ method: 'GET', url: `/v1/stats/published/${release.id}` });
      expect(one.statusCode).toBe(200);
      const again = await server.inject({ method: 'GET', url: `/v1/stats/published/${release.id}` });
      expect(again.body).toBe(one.body);
      expect({ ...one.json<ReleaseJson>(), budget: release.budget }).toEqual(release);

      // A noisy release reads back exactly as released, never recomputed.
      const noisy = await server.inject({ method: 'POST', url: '/v1/stats', headers: { authorization: `Bearer ${admin}` }, payload: { dimensions: ['country'], epsilon: '0.01' } });
      const noisyRelease = noisy.json<ReleaseJson>();
      const reads = await Promise.all([1, 2, 3].map(() => server.inject({ method: 'GET', url: '/v1/stats/published' })));
      expect(new Set(reads.map((read) => read.body)).size).toBe(1);
      const listed = reads[0]?.json<{ releases: ReleaseJson[] }>().releases ?? [];
      expect(listed.map((r) => r.id)).toEqual([noisyRelease.id, release.id]);
      expect(listed[0]?.cells).toEqual(noisyRelease.cells);
      const paged = await server.inject({ method: 'GET', url: `/v1/stats/published?before=${noisyRelease.id}` });
      expect(paged.json<{ releases: ReleaseJson[] }>().releases.map((r) => r.id)).toEqual([release.id]);

      expect((await server.inject({ method: 'GET', url: `/v1/stats/published/rel_${'x'.repeat(22)}` })).statusCode).toBe(404);
      expect((await server.inject({ method: 'GET', url: '/v1/stats/published/nope' })).statusCode).toBe(400);
    } finally {
      await vow.close();
    }
  });

  it('refuses bad queries with 400 naming the field', async () => {
    const vow = await createVow(database().config());
    try {
      const officer = (await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret;
      const post = (payload: Record<string, unknown>) => vow.server.inject({ method: 'POST', url: '/v1/stats', headers: { authorization: `Bearer ${officer}` }, payload });
      const cases: [Record<string, unknown>, string][] = [
        [{ dimensions: ['country'], epsilon: 'lots' }, 'body.epsilon'],
        [{ dimensions: ['country'], epsilon: '0' }, 'body.epsilon'],
        [{ dimensions: [], epsilon: '0.1' }, 'body.dimensions'],
        [{ dimensions: ['subject_id'], epsilon: '0.1' }, 'body.dimensions.0'],
        [{ dimensions: ['country'], epsilon: '0.1', measure: 'sum' }, 'body.measure'],
        [{ dimensions: ['country'], epsilon: '0.1', minSubjects: 0 }, 'body.minSubjects'],
        [{ dimensions: ['country'], epsilon: '0.1', from: '2026-12-01', to: '2026-11-01' }, 'body.to'],
      ];
      for (const [payload, field] of cases) {
        const response = await post(payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(400);
        expect(response.json<ErrorJson>().error.problems?.map((problem) => problem.path)).toContain(field);
      }
      expect(await vow.store.db.selectFrom('stats_budgets').selectAll().execute()).toEqual([]);
    } finally {
      await vow.close();
    }
  });

  it('releases and lists from the command line', async () => {
    const config = database().config({ VOW_POLICY: roomyPolicy(database()) });
    const vow = await createVow(config);
    try {
      await seedCountry(vow.store.db, 'FR', 12);
    } finally {
      await vow.close();
    }
    const cli = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, config, { out: (text) => out.push(text), err: (text) => err.push(text) });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    const released = await cli('stats', '--dimensions', 'country,week', '--epsilon', '1000000', '--measure', 'subjects', '--name', 'page_view', '--min-subjects', '10');
    expect(released.code, released.err).toBe(0);
    expect(released.out).toMatch(/country\s+week\s+subjects/);
    expect(released.out).toMatch(/FR\s+2026-W47\s+12/);
    expect(released.out).toContain('budget of events: 1000000 of 100000000 spent');

    const listed = await cli('stats', 'published');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/FR\s+2026-W47\s+12/);

    const bad = await cli('stats', '--dimensions', 'country,planet', '--epsilon', '0.5');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('dimensions.1');
    const missing = await cli('stats', '--dimensions', 'country');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('epsilon');
  });
});
