/**
 * Recipients are told of corrections and erasures (GDPR art. 19, policy section 4): by
 * signed webhook where one is registered, otherwise through a task for staff, listed and
 * closed through the API and the CLI; a staff correction tells them like a requested one.
 */
import { expect, it } from 'vitest';
import { createVow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { runCli } from '../src/cli/run-cli.js';
import { describeEachDatabase } from './support/databases.js';

interface TasksJson {
  tasks: { id: string; recipient: string; subjectId: string; event: string; fields?: string[]; status: string; doneBy: string | null }[];
}

describeEachDatabase('telling recipients without a webhook', (database) => {
  it('gives staff a task for each recipient without a webhook, on a staff correction and on an erasure', async () => {
    const vow = await createVow(database().config());
    try {
      const { server } = vow;
      const auth = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret}` };
      const id = (await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'tess.task@example.com', name: 'Tess Task', birthDate: '1980-01-01' } })).json<{ id: string }>().id;
      const disclosed = await server.inject({ method: 'POST', url: '/v1/disclosures', headers: auth, payload: { recipient: 'hosting', categories: ['account'], purpose: 'provide-services', subjects: { ids: [id] } } });
      expect(disclosed.statusCode, disclosed.body).toBe(201);

      const corrected = await server.inject({ method: 'PATCH', url: `/v1/accounts/${id}`, headers: auth, payload: { name: 'Tess Corrected' } });
      // Hosting received a recorded disclosure; the other providers and affiliates hold account data as part of running the Services.
      const holders = ['affiliates', 'cloud', 'email', 'events', 'hosting', 'it-services'];
      expect(corrected.json()).toEqual({ id, updated: ['name'], recipientsNotified: [], recipientsToldByStaff: holders });
      const open = (await server.inject({ method: 'GET', url: '/v1/recipient-tasks?status=open', headers: auth })).json<TasksJson>().tasks;
      expect(open.map((entry) => entry.recipient).sort()).toEqual(holders);
      expect(open.find((entry) => entry.recipient === 'hosting')).toEqual(expect.objectContaining({ subjectId: id, event: 'correction', fields: ['name'], status: 'open' }));
      expect(JSON.stringify(open)).not.toContain('Tess');

      const task = open.find((entry) => entry.recipient === 'hosting');
      if (!task) throw new Error('no task');
      const done = await server.inject({ method: 'POST', url: `/v1/recipient-tasks/${task.id}/done`, headers: auth });
      expect(done.json()).toMatchObject({ id: task.id, status: 'done', doneBy: expect.stringMatching(/^key:/) as unknown });
      expect((await server.inject({ method: 'POST', url: `/v1/recipient-tasks/${task.id}/done`, headers: auth })).statusCode).toBe(409);
      expect((await server.inject({ method: 'POST', url: '/v1/recipient-tasks/rtk_nope/done', headers: auth })).statusCode).toBe(400);
      expect((await server.inject({ method: 'POST', url: `/v1/recipient-tasks/rtk_${'A'.repeat(22)}/done`, headers: auth })).statusCode).toBe(404);

      const erased = await server.inject({ method: 'POST', url: `/v1/subjects/${id}/erase`, headers: auth, payload: { reason: 'request' } });
      expect(erased.json()).toMatchObject({ erased: true, recipientsNotified: [], recipientsToldByStaff: holders });
      const lines: string[] = [];
      expect(await runCli(['recipients', 'tasks', '--status', 'open'], database().config(), { out: (text) => lines.push(text), err: (text) => lines.push(text) })).toBe(0);
      expect(lines.join('\n')).toMatch(new RegExp(`^rtk_\\S+  open  erasure  hosting  ${id}`, 'm'));
    } finally {
      await vow.close();
    }
  });
});
