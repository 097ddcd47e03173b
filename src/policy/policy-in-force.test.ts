import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { fixture } from '../../test/support/fixtures.js';
import { openStore } from '../store/open-store.js';
import { Declaration } from './declaration.js';
import { readPolicyInForce, watchPolicy } from './policy-in-force.js';
import { publishPolicy } from './publish-policy.js';

const minimal = () => Declaration.parse(parse(readFileSync(fixture('minimal.policy.yaml'), 'utf8')));

describeEachDatabase('the policy in force is the latest published version', (database) => {
  it('asks consent again from the newest material version, or the first when none is material', () =>
    withStore(database(), async ({ db }) => {
      expect(await readPolicyInForce(db)).toBeUndefined();
      await publishPolicy(db, { declaration: minimal(), material: false, actor: 'cli' });
      await publishPolicy(db, { declaration: { ...minimal(), minimumAge: 14 }, material: false, actor: 'cli' });
      expect(await readPolicyInForce(db)).toMatchObject({ version: { number: 2 }, lastMaterialVersion: 1, declaration: { minimumAge: 14 } });
      await publishPolicy(db, { declaration: { ...minimal(), minimumAge: 15 }, material: true, actor: 'cli' });
      await publishPolicy(db, { declaration: { ...minimal(), minimumAge: 18 }, material: false, actor: 'cli' });
      expect(await readPolicyInForce(db)).toMatchObject({ version: { number: 4 }, lastMaterialVersion: 3 });
    }));

  it('reaches a process that watches it, from a publication made by another connection', async () => {
    const [server, publisher] = await Promise.all([openStore(database().config()), openStore(database().config())]);
    try {
      await publishPolicy(server.db, { declaration: minimal(), material: false, actor: 'system' });
      const policy = await watchPolicy(server.db, { intervalMs: 50 });
      const seen: number[] = [];
      policy.onChange((next, previous) => seen.push(previous.version.number, next.version.number));
      try {
        expect(policy.current().version.number).toBe(1);
        await publishPolicy(publisher.db, { declaration: { ...minimal(), minimumAge: 18 }, material: true, actor: 'cli' });
        await expect.poll(() => policy.current().version.number, { timeout: 2_000, interval: 20 }).toBe(2);
        expect(policy.current()).toMatchObject({ declaration: { minimumAge: 18 }, lastMaterialVersion: 2 });
        expect(seen).toEqual([1, 2]);
        expect(await policy.refresh()).toBe(false);
      } finally {
        policy.stop();
      }
    } finally {
      await Promise.all([server.close(), publisher.close()]);
    }
  });
});
