import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { fixture } from '../../test/support/fixtures.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { openStore } from '../store/open-store.js';
import { Declaration } from './declaration.js';
import { contentHash } from './policy-content.js';
import { findVersion, listVersions } from './policy-version.repository.js';
import { publishPolicy } from './publish-policy.js';

const minimal = () => Declaration.parse(parse(readFileSync(fixture('minimal.policy.yaml'), 'utf8')));

describeEachDatabase('publishing the policy records versions only when the content changed', (database) => {

  it('numbers versions, hashes content, and skips a publish that changes nothing', () =>
    withStore(database(), async ({ db }) => {
      const first = await publishPolicy(db, { declaration: minimal(), material: false, actor: 'cli', now: new Date('2026-01-01T10:00:00Z') });
      expect(first).toEqual({
        published: true,
        version: { number: 1, hash: contentHash(minimal()), publishedAt: '2026-01-01T10:00:00.000Z', material: false },
      });
      const again = await publishPolicy(db, { declaration: minimal(), material: true, actor: 'cli' });
      expect(again).toEqual({ published: false, version: first.version });

      const changed = minimal();
      changed.minimumAge = 13;
      const second = await publishPolicy(db, { declaration: changed, material: true, actor: 'cli' });
      expect(second).toMatchObject({ published: true, version: { number: 2, material: true } });

      expect((await listVersions(db)).map((v) => [v.number, v.material])).toEqual([
        [2, true],
        [1, false],
      ]);
      expect((await findVersion(db, 1))?.declaration).toEqual(minimal());
      expect((await findVersion(db, 2))?.declaration.minimumAge).toBe(13);
    }));

  it('never publishes an older version again unless asked to roll back', () =>
    withStore(database(), async ({ db }) => {
      const first = await publishPolicy(db, { declaration: minimal(), material: false, actor: 'system' });
      const changed = { ...minimal(), minimumAge: 18 };
      const second = await publishPolicy(db, { declaration: changed, material: true, actor: 'cli' });

      const restarted = await publishPolicy(db, { declaration: minimal(), material: false, actor: 'system' });
      expect(restarted).toEqual({ published: false, version: second.version, older: first.version });
      expect(await listVersions(db)).toHaveLength(2);

      const rolledBack = await publishPolicy(db, { declaration: minimal(), material: true, actor: 'cli', rollback: true });
      expect(rolledBack).toMatchObject({ published: true, version: { number: 3, hash: first.version.hash, material: true } });
      const audit = await db.selectFrom('audit_log').select(['target', 'data']).where('target', '=', 'policy:v3').executeTakeFirstOrThrow();
      expect(JSON.parse(audit.data)).toMatchObject({ rollback: true });
    }));

  it('records every publication in the audit log, by pseudonymous target only', () =>
    withStore(database(), async ({ db }) => {
      await publishPolicy(db, { declaration: minimal(), material: false, actor: 'system' });
      const records = await db.selectFrom('audit_log').selectAll().execute();
      expect(records).toEqual([expect.objectContaining({ seq: 1, actor: 'system', action: 'policy.published', target: 'policy:v1' })]);
      expect(JSON.stringify(records)).not.toContain('privacy@tiny.example');
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 1 });
    }));

  it('publishes once when several processes start with the same declaration', async () => {
    const stores = await Promise.all([openStore(database().config()), openStore(database().config())]);
    try {
      const outcomes = await Promise.all(
        (database().dialect === 'postgres' ? stores : [stores[0], stores[0]]).map((store) =>
          publishPolicy(store.db, { declaration: minimal(), material: false, actor: 'system' }),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.published)).toHaveLength(1);
      expect(await listVersions(stores[0].db)).toHaveLength(1);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
