/**
 * Requests reach the services the company uses (declared `http` systems) and the places
 * staff attend to by hand (`manual` systems). A local HTTP server plays the company's CRM:
 * it answers as the declaration says such a service does, and records what it was sent.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { loadConfig } from '../src/config.js';
import { readOutbox } from '../src/outbox/outbox.js';
import { listDataSubjectRequests, showDataSubjectRequest } from '../src/requests/read-requests.js';
import { remindDueRequests } from '../src/requests/request-jobs.js';
import { examplePolicy } from './support/fixtures.js';
import { tellRecipientsOf } from './support/staff-tasks.js';

const folder = mkdtempSync(join(tmpdir(), 'vow-systems-http-'));
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

const email = 'ada+crm@example.com';
const token = 'crm-token-k2p9';

const systems = `
systems:
  - id: crm
    engine: http
    description: The CRM
    connection: CRM_API_URL
    fields: [{ category: account, field: email }, { category: account, field: name }]
    access: { method: GET, url: '/v3/contacts?email={email}', auth: { env: CRM_TOKEN }, answer: data.contacts }
    erasure: { method: DELETE, url: '/v3/contacts/{email}', auth: { env: CRM_TOKEN } }
    correction: { method: PATCH, url: '/v3/contacts/{email}', auth: { env: CRM_TOKEN }, body: { source: vow } }
  - id: archive
    engine: manual
    description: The signed paper contracts in the Munich office
    fields: [{ category: account, field: name }]
`;

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

describe('requests reach the services and places the declaration lists', () => {
  let crm: Server;
  let received: Received[];
  let status: number;
  let vow: Vow;
  let staff: { authorization: string };

  const start = async (env: Record<string, string> = {}) => {
    const policy = join(folder, `${Math.random().toString(36).slice(2)}.policy.yaml`);
    writeFileSync(policy, readFileSync(examplePolicy, 'utf8') + systems);
    const { port } = crm.address() as AddressInfo;
    vow = await createVow(
      loadConfig({
        VOW_DATA_DIR: mkdtempSync(join(folder, 'vow-')),
        VOW_POLICY: policy,
        LOG_LEVEL: 'silent',
        CRM_API_URL: `http://127.0.0.1:${port}`,
        CRM_TOKEN: token,
        VOW_WEBHOOK_PRIVATE_ADDRESSES: '1',
        ...env,
      }),
    );
    staff = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret}` };
  };

  beforeEach(async () => {
    received = [];
    status = 200;
    crm = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization, body });
        // A service that never answers: the call hangs until Vow's timeout.
        if (status === 0) return;
        if (status !== 200) {
          response.writeHead(status).end('upstream trouble, quoting ada+crm@example.com');
          return;
        }
        if (request.method === 'GET') response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { contacts: [{ email, name: 'Ada in the CRM', deals: 3 }] } }));
        else response.writeHead(204).end();
      });
    });
    crm.listen(0, '127.0.0.1');
    await once(crm, 'listening');
  });
  afterEach(async () => {
    await vow.close();
    crm.close();
    await once(crm, 'close');
  });

  const file = async (kind: string, extra: Record<string, unknown> = {}) => {
    const account = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email, name: 'Ada Crm', birthDate: '1990-01-01' } });
    const subjectId = account.json<{ id: string }>().id;
    const filed = await vow.server.inject({ method: 'POST', url: '/v1/requests', headers: staff, payload: { kind, subjectId, verified: true, verification: 'desk', ...extra } });
    return filed.json<{ id: string }>().id;
  };
  const shown = async (id: string) => (await vow.server.inject({ method: 'GET', url: `/v1/requests/${id}`, headers: staff })).json<{ status: string; tasks: { id: string; system: string; status: string; lastError: string | null }[] }>();

  it('a deletion calls the service’s declared erasure with its credential, and waits for staff at the manual place', async () => {
    await start();
    const id = await file('deletion');
    const completed = await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
    expect(completed.json()).toMatchObject({ status: 'waiting' });
    await tellRecipientsOf(vow, staff, id);
    await expect.poll(async () => (await shown(id)).tasks.find((task) => task.system === 'crm')?.status, { timeout: 10_000 }).toBe('done');
    expect(received).toEqual([{ method: 'DELETE', url: `/v3/contacts/${encodeURIComponent(email)}`, authorization: `Bearer ${token}`, body: '' }]);

    const archive = (await shown(id)).tasks.find((task) => task.system === 'archive');
    expect(archive?.status).toBe('waiting-for-staff');
    expect((await shown(id)).status).toBe('waiting');
    const done = await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/tasks/${archive?.id ?? ''}/done`, headers: staff, payload: { reason: 'contract shredded by the office manager' } });
    expect(done.json()).toMatchObject({ requestCompleted: true });
    const notice = (await readOutbox(vow.vault)).find((message) => message.kind === 'completion');
    expect(notice?.text).toContain('We also deleted it from: The signed paper contracts in the Munich office and The CRM.');
  });

  it('an access export holds what the service answers at the declared path', async () => {
    await start();
    const id = await file('access');
    await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
    const archive = async () => (await shown(id)).tasks.find((task) => task.system === 'archive');
    await expect.poll(async () => (await shown(id)).tasks.find((task) => task.system === 'crm')?.status, { timeout: 10_000 }).toBe('done');
    await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/tasks/${(await archive())?.id ?? ''}/done`, headers: staff, payload: { reason: 'nothing in the archive' } });
    expect((await shown(id)).status).toBe('completed');
    expect(received[0]).toMatchObject({ method: 'GET', url: `/v3/contacts?email=${encodeURIComponent(email)}` });
    const download = await vow.server.inject({ method: 'GET', url: `/v1/requests/${id}/export`, headers: staff });
    const files = unzipSync(download.rawPayload);
    expect(JSON.parse(Buffer.from(files['systems/crm/records.json'] ?? []).toString('utf8'))).toEqual([{ email, name: 'Ada in the CRM', deals: 3 }]);
  });

  it('a correction sends the corrected fields with the declared body', async () => {
    await start();
    const id = await file('correction', { corrections: { name: 'Ada King' } });
    await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
    await expect.poll(async () => (await shown(id)).tasks.find((task) => task.system === 'crm')?.status, { timeout: 10_000 }).toBe('done');
    expect(received).toEqual([{ method: 'PATCH', url: `/v3/contacts/${encodeURIComponent(email)}`, authorization: `Bearer ${token}`, body: JSON.stringify({ source: 'vow', name: 'Ada King' }) }]);
  });

  it('a service that fails is retried later, its error naming the status and nothing it was sent', async () => {
    await start();
    status = 503;
    const id = await file('deletion');
    await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
    await expect.poll(async () => (await shown(id)).tasks.find((task) => task.system === 'crm')?.status, { timeout: 10_000 }).toBe('failed');
    const task = (await shown(id)).tasks.find((candidate) => candidate.system === 'crm');
    expect(task?.lastError).toBe('system crm answered 503 to the erasure call');
    const row = await vow.store.db.selectFrom('system_tasks').select(['next_attempt_at', 'attempts']).where('id', '=', task?.id ?? '').executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
    expect(new Date(row.next_attempt_at ?? 0).getTime()).toBeGreaterThan(Date.now() + 20_000);
  });

  it('a task still running an hour on is raised as running late, in the due list and the reminder', async () => {
    await start();
    status = 0;
    const id = await file('correction', { corrections: { email: 'ada.king+crm@example.com' } });
    await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
    await tellRecipientsOf(vow, staff, id);
    await expect.poll(async () => (await shown(id)).tasks.filter((task) => task.status !== 'done').map((task) => `${task.system}:${task.status}`), { timeout: 10_000 }).toEqual(['crm:running']);
    const now = new Date();
    expect((await listDataSubjectRequests(vow.vault, { due: true, now })).map((request) => request.id)).not.toContain(id);
    const anHourOn = new Date(now.getTime() + 61 * 60 * 1000);
    expect((await listDataSubjectRequests(vow.vault, { due: true, now: anHourOn })).map((request) => request.id)).toContain(id);
    expect((await showDataSubjectRequest(vow.vault, id, anHourOn)).tasks.find((task) => task.system === 'crm')).toMatchObject({ status: 'running', late: true });
    expect(await remindDueRequests(vow.vault, anHourOn)).toEqual({ reminded: 1 });
    const reminder = (await readOutbox(vow.vault)).find((message) => message.kind === 'reminder');
    expect(reminder?.text).toContain('It waits on: crm (running late).');
    // The service hangs up at last: the call fails instead of holding the server's close for its timeout.
    await expect.poll(() => received.length).toBe(1);
    crm.closeAllConnections();
  });

  it('refuses to call a loopback or private address unless the operator allows it', async () => {
    await start({ VOW_WEBHOOK_PRIVATE_ADDRESSES: '0' });
    const id = await file('deletion');
    await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
    await expect.poll(async () => (await shown(id)).tasks.find((task) => task.system === 'crm')?.status, { timeout: 10_000 }).toBe('failed');
    expect((await shown(id)).tasks.find((task) => task.system === 'crm')?.lastError).toBe('non-public address');
    expect(received).toEqual([]);
  });
});
