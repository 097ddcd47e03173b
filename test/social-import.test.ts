import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createVow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { runCli } from '../src/cli/run-cli.js';
import { describeEachDatabase, ensureStore } from './support/databases.js';

const comments = [
  'platform,username,full_name,email,kind,text,timestamp',
  'instagram,@Robo_Fan,Rhoda Fanshawe,rhoda@example.com,comment,"Love the arm, when does it ship?",2026-11-20T10:00:00Z',
  'instagram,robo_fan,,,comment,Second comment from the same person,2026-11-21T10:00:00Z',
  'instagram,quiet_one,,,follow,,2026-11-22T10:00:00Z',
].join('\n');
const analytics = ['platform,metric,period,value', 'linkedin,impressions,2026-11,15230', 'linkedin,followers,2026-W47,812'].join('\n');

describeEachDatabase('importing social-media exports', (database) => {
  it('keeps interactions per person, encrypted under a pseudonym, and analytics as aggregates only', async () => {
    const vow = await createVow(database().config());
    try {
      const { secret } = await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' });
      const headers = { authorization: `Bearer ${secret}`, 'content-type': 'text/csv' };
      const imported = await vow.server.inject({ method: 'POST', url: '/v1/social/imports', headers, payload: comments });
      expect(imported.statusCode, imported.body).toBe(201);
      expect(imported.json()).toMatchObject({ interactions: 3, subjects: 2, newSubjects: 2, aggregates: 0 });
      const stats = await vow.server.inject({ method: 'POST', url: '/v1/social/imports', headers, payload: analytics });
      expect(stats.json()).toMatchObject({ interactions: 0, aggregates: 2 });

      const aggregates = await vow.store.db.selectFrom('social_aggregates').select(['platform', 'metric', 'period', 'value']).orderBy('metric').execute();
      expect(aggregates).toEqual([
        { platform: 'linkedin', metric: 'followers', period: '2026-W47', value: 812 },
        { platform: 'linkedin', metric: 'impressions', period: '2026-11', value: 15230 },
      ]);
      // Read back through the API, and counted in the records of processing under the non-personal social category.
      const listed = await vow.server.inject({ method: 'GET', url: '/v1/social/aggregates?platform=linkedin', headers: { authorization: `Bearer ${secret}` } });
      expect(listed.json<{ aggregates: { metric: string; value: number }[] }>().aggregates.map((row) => [row.metric, row.value])).toEqual([
        ['followers', 812],
        ['impressions', 15230],
      ]);
      const ropa = (await vow.server.inject({ method: 'GET', url: '/v1/ropa', headers: { authorization: `Bearer ${secret}` } })).json<{
        activities: { dataCategories: { id: string; records: number }[] }[];
      }>();
      expect(ropa.activities.flatMap((activity) => activity.dataCategories).find((category) => category.id === 'social-analytics')?.records).toBe(2);
      const records = await vow.store.db.selectFrom('vault_records').select(['subject_id', 'category', 'source', 'collected_at', 'data']).execute();
      expect(records).toHaveLength(3);
      expect(new Set(records.map((r) => r.subject_id)).size).toBe(2);
      expect(records.every((r) => r.category === 'social')).toBe(true);
      expect(JSON.stringify(records)).not.toMatch(/robo_fan|Rhoda|rhoda@example\.com|ship/i);

      const [subjectId] = records.map((r) => r.subject_id);
      const read = await vow.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId ?? ''}/data?purpose=communicate`, headers: { authorization: `Bearer ${secret}` } });
      const fields = read.json<{ categories: { records: { fields: Record<string, string> }[] }[] }>().categories.flatMap((c) => c.records.map((r) => r.fields));
      expect(fields.some((f) => f.handle === 'robo_fan' || f.handle === 'quiet_one')).toBe(true);

      const refused = await vow.server.inject({ method: 'POST', url: '/v1/social/imports', headers, payload: 'platform,username,email,text,timestamp\nmyspace,tom,tom@@x,hi,yesterday' });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).not.toContain('tom@@x');
      const support = (await issueApiKey(vow.store.db, { role: 'support', purposes: ['communicate'], actor: 'test' })).secret;
      const forbidden = await vow.server.inject({ method: 'POST', url: '/v1/social/imports', headers: { ...headers, authorization: `Bearer ${support}` }, payload: comments });
      expect(forbidden.statusCode).toBe(403);
    } finally {
      await vow.close();
    }
  });

  it('imports a file with `vow import social`', async () => {
    const file = join(database().dataDir, 'instagram.csv');
    writeFileSync(file, comments);
    const out: string[] = [];
    const err: string[] = [];
    await ensureStore(database());
    const code = await runCli(['import', 'social', file], database().config(), { out: (t) => out.push(t), err: (t) => err.push(t) });
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out.join('\n')).toMatch(/^imported imp_\S+: 3 interactions from 2 people \(2 new\), 0 aggregates$/);
    const missing = await runCli(['import', 'social', join(database().dataDir, 'nope.csv')], database().config(), { out: () => undefined, err: (t) => err.push(t) });
    expect(missing).toBe(1);
  });
});
