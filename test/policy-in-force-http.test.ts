/**
 * The one truth (section 10 and every section the page states): what the latest
 * published version says is what every running server enforces, within seconds of its
 * publication and without a restart; a restart with an older file never rolls it back.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { runCli } from '../src/cli/run-cli.js';
import type { Banner } from '../src/consent/banner.js';
import type { DeclarationInput } from '../src/policy/declaration.js';
import { listVersions } from '../src/policy/policy-version.repository.js';
import { describeEachDatabase } from './support/databases.js';
import { examplePolicy } from './support/fixtures.js';

const bannerOf = async (server: FastifyInstance) => (await server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<Banner>();
const cookieNames = (banner: Banner) => banner.categories.flatMap((category) => category.cookies.map((cookie) => cookie.name));

/** The example with a new analytics cookie and a new purpose the account category may be used for. */
function widened(dir: string): string {
  const declaration = parse(readFileSync(examplePolicy, 'utf8')) as DeclarationInput;
  declaration.purposes.push({ id: 'personalize', description: 'To tailor the Services to you.', legalBasis: 'legitimate-interests' });
  for (const category of declaration.categories) if (category.id === 'account') category.purposes.push('personalize');
  for (const group of declaration.cookies ?? []) {
    if (group.id === 'analytics') group.cookies = [...(group.cookies ?? []), { name: '_vow_new_tag', provider: 'AIRobotics', description: 'A new measurement.', duration: 'P30D' }];
  }
  const file = join(dir, 'widened.policy.yaml');
  writeFileSync(file, stringify(declaration));
  return file;
}

describeEachDatabase('the latest published version is what every running server enforces', (database) => {
  const cli = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await runCli(argv, database().config(), { out: (text) => lines.push(text), err: (text) => lines.push(text) });
    return { code, text: lines.join('\n') };
  };

  it('reaches two running servers within 5 seconds of a publication, and survives their restart', async () => {
    const first = await createVow(database().config());
    let second: Vow | undefined = await createVow(database().config());
    const { server: a } = first;
    try {
      const admin = (await issueApiKey(first.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret;
      const signUp = await a.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'ada.truth@example.com', name: 'Ada Truth', birthDate: '1990-01-01' } });
      const { id } = signUp.json<{ id: string }>();
      const readFor = (server: FastifyInstance, purpose: string) =>
        server.inject({ method: 'GET', url: `/v1/accounts/${id}?purpose=${purpose}`, headers: { authorization: `Bearer ${admin}` } });
      expect((await readFor(second.server, 'personalize')).statusCode).toBe(403);
      expect(cookieNames(await bannerOf(second.server))).not.toContain('_vow_new_tag');

      const published = await cli('policy', 'publish', widened(database().dataDir), '--material');
      expect(published, published.text).toMatchObject({ code: 0, text: expect.stringMatching(/^published version 2 \(material\)/) as unknown });
      const publishedAt = Date.now();
      for (const server of [a, second.server]) {
        await expect.poll(async () => (await bannerOf(server)).policyVersion, { timeout: 5_000, interval: 50 }).toBe(2);
        const banner = await bannerOf(server);
        expect(banner.lastMaterialVersion).toBe(2);
        expect(cookieNames(banner)).toContain('_vow_new_tag');
        expect((await readFor(server, 'personalize')).statusCode).toBe(200);
      }
      expect(Date.now() - publishedAt).toBeLessThan(5_000);

      // A restart with the file it started with (version 1's content) publishes nothing and says so.
      await second.close();
      second = undefined;
      const restarted = await createVow(database().config());
      second = restarted;
      expect(restarted.publication).toMatchObject({ published: false, version: { number: 2 }, older: { number: 1 } });
      expect(restarted.warnings.map((warning) => warning.message)).toContainEqual(expect.stringContaining('vow policy publish --rollback 1'));
      expect((await bannerOf(restarted.server)).policyVersion).toBe(2);
      expect((await readFor(restarted.server, 'personalize')).statusCode).toBe(200);
      expect((await listVersions(first.store.db)).map((version) => version.number)).toEqual([2, 1]);

      // Publishing the old file is refused; a rollback is said explicitly, and reaches the servers too.
      const refused = await cli('policy', 'publish', examplePolicy);
      expect(refused.code).toBe(1);
      expect(refused.text).toContain('--rollback 1');
      const rolledBack = await cli('policy', 'publish', '--rollback', '1');
      expect(rolledBack, rolledBack.text).toMatchObject({ code: 0, text: expect.stringContaining('published version 3 (rollback to version 1)') as unknown });
      for (const server of [a, restarted.server]) {
        await expect.poll(async () => (await bannerOf(server)).policyVersion, { timeout: 5_000, interval: 50 }).toBe(3);
        expect(cookieNames(await bannerOf(server))).not.toContain('_vow_new_tag');
        const refusedRead = await readFor(server, 'personalize');
        expect(refusedRead.statusCode).toBe(403);
        expect(refusedRead.json()).toMatchObject({ error: { message: expect.stringContaining('rule: purpose-declared') as unknown } });
      }
    } finally {
      await second?.close();
      await first.close();
    }
  });
});
