/**
 * Requests reach the company's own databases (issue 13): each declared system's share is
 * a task, run by the server, retried when it fails, confirmed by staff when Vow cannot do
 * it, and the request completes, and the requester is told, only once every task is done.
 * Vow keeps its own data on SQLite; the shop runs on PostgreSQL and on MariaDB.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { loadConfig } from '../src/config.js';
import { readOutbox } from '../src/outbox/outbox.js';
import { remindDueRequests } from '../src/requests/request-jobs.js';
import { describeEachExternalEngine, shopNotes, shopSubjects, type ShopFixture } from './support/external-databases.js';
import { shopPolicy } from './support/fixtures.js';
import { tellRecipientsOf } from './support/staff-tasks.js';

const folder = mkdtempSync(join(tmpdir(), 'vow-systems-requests-'));
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

const [ada, grace] = shopSubjects;

interface Shown {
  status: string;
  outcome: string | null;
  tasks: { id: string; system: string; action: string; status: string; lastError: string | null; doneBy: string | null }[];
}

async function openVow(shop: ShopFixture, env: Record<string, string> = { SHOP_DATABASE_URL: shop.url }): Promise<{ vow: Vow; staff: { authorization: string } }> {
  const policy = join(folder, `${Math.random().toString(36).slice(2)}.policy.yaml`);
  writeFileSync(policy, readFileSync(shopPolicy, 'utf8').replace('engine: postgres', `engine: ${shop.engine}`));
  const vow = await createVow(loadConfig({ VOW_DATA_DIR: mkdtempSync(join(folder, 'vow-')), VOW_POLICY: policy, LOG_LEVEL: 'silent', ...env }));
  const staff = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret}` };
  return { vow, staff };
}

async function fileFor(vow: Vow, staff: { authorization: string }, kind: string, extra: Record<string, unknown> = {}): Promise<string> {
  const account = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: ada.email, name: ada.fullName, birthDate: '1990-01-01' } });
  expect(account.statusCode, account.body).toBe(201);
  const subjectId = account.json<{ id: string }>().id;
  const filed = await vow.server.inject({ method: 'POST', url: '/v1/requests', headers: staff, payload: { kind, subjectId, verified: true, verification: 'checked at the desk', ...extra } });
  expect(filed.statusCode, filed.body).toBe(202);
  return filed.json<{ id: string }>().id;
}

const show = async (vow: Vow, staff: { authorization: string }, id: string) => (await vow.server.inject({ method: 'GET', url: `/v1/requests/${id}`, headers: staff })).json<Shown>();
/** The shop's task, not the recipients' (the example's recipients have no webhook: staff tell them). */
const shopTask = async (vow: Vow, staff: { authorization: string }, id: string) => (await show(vow, staff, id)).tasks.find((task) => task.system === 'shop');

describeEachExternalEngine('requests reach the declared databases', (shop) => {
  it('a deletion erases the subject in the shop too, and the requester is told once, after every task is done', async () => {
    const { vow, staff } = await openVow(shop());
    try {
      const id = await fileFor(vow, staff, 'deletion');
      const completed = await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
      expect(completed.statusCode, completed.body).toBe(200);
      expect(completed.json()).toMatchObject({ status: 'waiting', outcome: 'erased', notified: false });

      await expect.poll(async () => (await shopTask(vow, staff, id))?.status, { timeout: 10_000 }).toBe('done');
      expect(await shopTask(vow, staff, id)).toMatchObject({ system: 'shop', action: 'erasure', status: 'done', doneBy: 'system' });
      expect((await readOutbox(vow.vault)).filter((message) => message.kind === 'completion')).toEqual([]);
      const told = await tellRecipientsOf(vow, staff, id);
      expect(completed.json<{ tasks: number }>().tasks).toBe(1 + told.length);
      expect((await show(vow, staff, id)).status).toBe('completed');
      expect(await shop().db.selectFrom('users').select('id').where('id', '=', ada.id).execute()).toEqual([]);
      expect(await shop().db.selectFrom('order_item_notes').select('note').execute()).toEqual([{ note: shopNotes[1] }]);
      expect(await shop().db.selectFrom('users').select('email').where('id', '=', grace.id).execute()).toEqual([{ email: grace.email }]);

      const notices = (await readOutbox(vow.vault)).filter((message) => message.kind === 'completion');
      expect(notices).toHaveLength(1);
      expect(notices[0]?.to).toBe(ada.email);
      expect(notices[0]?.text).toContain('We also deleted it from: The online shop');
      // The identity was sealed on the task: nothing of it is left in Vow in the clear.
      const tasks = JSON.stringify(await vow.store.db.selectFrom('system_tasks').selectAll().execute());
      expect(tasks).not.toContain(ada.email);
    } finally {
      await vow.close();
    }
  });

  it('an access export holds one part per table of the shop, and the link is mailed once every task is done', async () => {
    const { vow, staff } = await openVow(shop());
    try {
      const id = await fileFor(vow, staff, 'access');
      const completed = await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
      // An access reaches the systems only: recipients are told of changes, not asked for copies.
      expect(completed.json()).toMatchObject({ status: 'waiting', tasks: 1 });
      await expect.poll(async () => (await show(vow, staff, id)).status, { timeout: 10_000 }).toBe('completed');

      const download = await vow.server.inject({ method: 'GET', url: `/v1/requests/${id}/export`, headers: staff });
      expect(download.statusCode, download.body).toBe(200);
      const files = unzipSync(download.rawPayload);
      const users = JSON.parse(Buffer.from(files['systems/shop/users.json'] ?? []).toString('utf8')) as Record<string, unknown>[];
      expect(users).toMatchObject([{ 'account.email': ada.email, 'account.name': ada.fullName }]);
      expect(JSON.parse(Buffer.from(files['systems/shop/orders.json'] ?? []).toString('utf8'))).toHaveLength(2);
      expect(Object.keys(files)).toContain('account.json');
      const notices = (await readOutbox(vow.vault)).filter((message) => message.kind === 'completion');
      expect(notices).toHaveLength(1);
      expect(notices[0]?.text).toContain('/export?token=');
      // The rows gathered lived on the task only until the export held them.
      expect(await vow.store.db.selectFrom('system_tasks').select('result').execute()).toEqual([{ result: null }]);
    } finally {
      await vow.close();
    }
  });

  it('a correction is written where the shop holds the field', async () => {
    const { vow, staff } = await openVow(shop());
    try {
      const id = await fileFor(vow, staff, 'correction', { corrections: { name: 'Ada King' } });
      const completed = await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
      expect(completed.json()).toMatchObject({ status: 'waiting', outcome: 'corrected' });
      await expect.poll(async () => (await shopTask(vow, staff, id))?.status, { timeout: 10_000 }).toBe('done');
      await tellRecipientsOf(vow, staff, id);
      expect((await show(vow, staff, id)).status).toBe('completed');
      expect(await shop().db.selectFrom('users').select('full_name').where('id', '=', ada.id).executeTakeFirstOrThrow()).toEqual({ full_name: 'Ada King' });
      expect(await shop().db.selectFrom('users').select('full_name').where('id', '=', grace.id).executeTakeFirstOrThrow()).toEqual({ full_name: grace.fullName });
    } finally {
      await vow.close();
    }
  });

  it('a task that cannot run fails with its reason, raises the request in the due list, and staff can confirm it done', async () => {
    const { vow, staff } = await openVow(shop(), {});
    try {
      const id = await fileFor(vow, staff, 'deletion');
      await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
      await tellRecipientsOf(vow, staff, id);
      await expect.poll(async () => (await shopTask(vow, staff, id))?.status, { timeout: 10_000 }).toBe('failed');
      const task = await shopTask(vow, staff, id);
      expect(task?.lastError).toBe('SHOP_DATABASE_URL is not set: the connection of system shop');
      const due = await vow.server.inject({ method: 'GET', url: '/v1/requests?due=true', headers: staff });
      expect(due.json<{ requests: { id: string }[] }>().requests.map((request) => request.id)).toContain(id);
      expect((await readOutbox(vow.vault)).filter((message) => message.kind === 'completion')).toEqual([]);
      // Staff are reminded of it though its deadline is a month away, and once a day at most.
      expect(await remindDueRequests(vow.vault)).toEqual({ reminded: 1 });
      expect(await remindDueRequests(vow.vault)).toEqual({ reminded: 0 });
      const reminder = (await readOutbox(vow.vault)).find((message) => message.kind === 'reminder');
      expect(reminder).toMatchObject({ to: vow.vault.declaration.organization.contactEmail, subject: `Vow: request ${id} is stuck in a system` });
      expect(reminder?.text).toContain('It waits on: shop (failed, retried).');

      const again = await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
      expect(again.statusCode).toBe(409);
      expect(again.body).toContain("waits on the company's systems");
      const noReason = await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/tasks/${task?.id ?? ''}/done`, headers: staff, payload: { reason: ' ' } });
      expect(noReason.statusCode).toBe(400);
      const confirmed = await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/tasks/${task?.id ?? ''}/done`, headers: staff, payload: { reason: 'the shop team deleted the rows by hand, ticket OPS-12' } });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      expect(confirmed.json()).toMatchObject({ status: 'done', requestCompleted: true });
      expect(await show(vow, staff, id)).toMatchObject({ status: 'completed' });
      expect(await shopTask(vow, staff, id)).toMatchObject({ status: 'done', doneBy: expect.stringMatching(/^key:/) as unknown });
      expect((await readOutbox(vow.vault)).filter((message) => message.kind === 'completion')).toHaveLength(1);
    } finally {
      await vow.close();
    }
  });
});
