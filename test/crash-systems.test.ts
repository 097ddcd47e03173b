/**
 * A real server killed in the middle of a deletion that spans two of the company's
 * databases, one on PostgreSQL and one on MariaDB: after the first is erased and before
 * the second is, once before Vow recorded the first task done and once after. The next
 * server started finishes (the first again, finding nothing left, when it died before the
 * record), completes the request with every row gone from both, and tells the requester once.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueApiKey } from '../src/auth/api-key.js';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/store/open-store.js';
import { createShop, externalEngines, shopSubjects } from './support/external-databases.js';
import { examplePolicy, fixture } from './support/fixtures.js';
import { serveProcess, stopProcess } from './support/serve-process.js';

const [ada, grace] = shopSubjects;

/** The example declaration with the test shop declared twice: on PostgreSQL, and its EU twin on MariaDB. */
function twoShopsPolicy(folder: string): string {
  const shop = readFileSync(fixture('shop-systems.yaml'), 'utf8');
  const entries = shop.slice(shop.indexOf('systems:\n') + 'systems:\n'.length);
  const twin = entries.replace('- id: shop', '- id: shop-eu').replace('engine: postgres', 'engine: mysql').replace('SHOP_DATABASE_URL', 'SHOP_EU_DATABASE_URL').replace("The online shop's database", 'The EU shop');
  const file = join(folder, 'vow.policy.yaml');
  writeFileSync(file, `${readFileSync(examplePolicy, 'utf8')}${shop}${twin}`);
  return file;
}

const both = externalEngines.postgres && externalEngines.mysql;

(both ? describe : describe.skip)('a deletion across two databases, its server killed between them', () => {
  const steps = ['system-task.carried-out', 'system-task.done'] as const;
  for (const step of steps) it(`completes on restart, killed at ${step}, with every row gone from both, and the requester told once`, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'vow-crash-systems-'));
    const postgres = await createShop('postgres');
    const mariadb = await createShop('mysql');
    const env = { VOW_DATA_DIR: join(folder, 'data'), VOW_POLICY: twoShopsPolicy(folder), SHOP_DATABASE_URL: postgres.fixture.url, SHOP_EU_DATABASE_URL: mariadb.fixture.url };
    const servers: ChildProcess[] = [];
    try {
      const store = await openStore(loadConfig(env));
      const key = (await issueApiKey(store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret;
      await store.close();
      const doomed = await serveProcess({ ...env, VOW_CRASH_AT: step });
      servers.push(doomed.child);
      let base = doomed.url;
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return (await response.json()) as Record<string, unknown>;
      };

      const subjectId = (await call('POST', '/v1/accounts', { email: ada.email, name: ada.fullName, birthDate: '1990-01-01' })).id as string;
      const id = (await call('POST', '/v1/requests', { kind: 'deletion', subjectId, verified: true, verification: 'checked at the desk' })).id as string;
      const died = once(doomed.child, 'exit');
      // The completion answers (waiting); the server dies once the first database is erased.
      expect(await call('POST', `/v1/requests/${id}/complete`)).toMatchObject({ status: 'waiting' });
      const [, signal] = (await died) as [number | null, string | null];
      expect(signal).toBe('SIGKILL');
      const erasedFirst = [
        (await postgres.fixture.db.selectFrom('users').select('id').where('id', '=', ada.id).execute()).length,
        (await mariadb.fixture.db.selectFrom('users').select('id').where('id', '=', ada.id).execute()).length,
      ];
      // Exactly one of the two was erased when it died.
      expect(erasedFirst.sort()).toEqual([0, 1]);

      const next = await serveProcess(env);
      servers.push(next.child);
      base = next.url;
      type Task = { id: string; system: string; status: string };
      const systemTasks = async () => ((await call('GET', `/v1/requests/${id}`)).tasks as Task[]).filter((task) => !task.system.startsWith('recipient:'));
      await expect.poll(async () => (await systemTasks()).map((task) => `${task.system}:${task.status}`), { timeout: 15_000, interval: 100 }).toEqual(['shop:done', 'shop-eu:done']);
      // The example's recipients have no webhook: staff tell them, and the request completes.
      for (const task of ((await call('GET', `/v1/requests/${id}`)).tasks as Task[]).filter((candidate) => candidate.status === 'waiting-for-staff')) {
        await call('POST', `/v1/requests/${id}/tasks/${task.id}/done`, { reason: 'told the recipient' });
      }
      await expect.poll(async () => (await call('GET', `/v1/requests/${id}`)).status, { timeout: 15_000, interval: 100 }).toBe('completed');
      const shown = await call('GET', `/v1/requests/${id}`);
      for (const shop of [postgres, mariadb]) {
        expect(await shop.fixture.db.selectFrom('users').select('id').where('id', '=', ada.id).execute()).toEqual([]);
        expect(await shop.fixture.db.selectFrom('orders').select('id').where('user_id', '=', ada.id).execute()).toEqual([]);
        expect(await shop.fixture.db.selectFrom('newsletter_subscribers').select('id').where('email', '=', ada.email).execute()).toEqual([]);
        expect(await shop.fixture.db.selectFrom('users').select('email').where('id', '=', grace.id).execute()).toEqual([{ email: grace.email }]);
      }
      const outbox = (await call('GET', '/v1/outbox')).messages as { kind: string; to: string; text: string }[];
      const notices = outbox.filter((message) => message.kind === 'completion' && message.to === ada.email);
      expect(notices).toHaveLength(1);
      expect(notices[0]?.text).toContain("We also deleted it from: The online shop's database and The EU shop.");
      const events = (shown.events as { type: string }[]).map((event) => event.type);
      expect(events.filter((type) => type === 'completed')).toHaveLength(1);
    } finally {
      for (const child of servers) await stopProcess(child);
      await postgres.drop();
      await mariadb.drop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
