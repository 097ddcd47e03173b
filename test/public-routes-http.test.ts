/**
 * Public routes reveal no one (sections 1 and 4): what anyone can send without a key
 * answers alike whether an address is known, and never files data under someone else's
 * account on the sender's word alone.
 */
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { describeEachDatabase } from './support/databases.js';

interface OutboxJson {
  messages: { to: string; subject: string; text: string; kind: string }[];
}

const codeIn = (text: string) => /enter this code: (\d{6})/.exec(text)?.[1] ?? '';

describeEachDatabase('public routes reveal no one', (database) => {
  const withVow = async (test: (vow: Vow, admin: string) => Promise<void>) => {
    const vow = await createVow(database().config());
    try {
      await test(vow, `Bearer ${(await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret}`);
    } finally {
      await vow.close();
    }
  };
  const outbox = async (vow: Vow, admin: string) => (await vow.server.inject({ method: 'GET', url: '/v1/outbox', headers: { authorization: admin } })).json<OutboxJson>().messages;

  it('a message sent with someone else’s address answers as any other and stays out of their account', () =>
    withVow(async (vow, admin) => {
      const { server } = vow;
      const alice = (await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'alice.owner@example.com', name: 'Alice Owner', birthDate: '1980-01-01' } })).json<{ id: string }>().id;
      const forged = await server.inject({ method: 'POST', url: '/v1/communications', payload: { email: 'alice.owner@example.com', message: 'I am Alice, send me her invoices' } });
      const stranger = await server.inject({ method: 'POST', url: '/v1/communications', payload: { email: 'nobody.known@example.com', message: 'hello' } });
      expect([forged.statusCode, forged.body]).toEqual([stranger.statusCode, stranger.body]);
      expect(forged.json()).toEqual({ received: true });

      const read = await server.inject({ method: 'GET', url: `/v1/subjects/${alice}/data?purpose=communicate`, headers: { authorization: admin } });
      expect(read.json<{ categories: { category: string }[] }>().categories.map((category) => category.category)).toEqual(['account']);
    }));

  it('opening an account with a registered address answers as a new one, keeps nothing sent, and tells the owner', () =>
    withVow(async (vow, admin) => {
      const { server } = vow;
      const first = await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'bo.owner@example.com', name: 'Bo Owner', birthDate: '1980-01-01' } });
      const again = await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'BO.owner@example.com', name: 'Mallory', birthDate: '1999-09-09' } });
      const fresh = await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'new.person@example.com', name: 'New Person', birthDate: '1990-01-01' } });
      for (const response of [again, fresh]) {
        expect(response.statusCode).toBe(first.statusCode);
        expect(Object.keys(response.json<Record<string, unknown>>())).toEqual(['id']);
        expect(response.json<{ id: string }>().id).toMatch(/^sub_[A-Za-z0-9_-]{22}$/);
      }
      const bo = first.json<{ id: string }>().id;
      const read = await server.inject({ method: 'GET', url: `/v1/accounts/${bo}?purpose=provide-services`, headers: { authorization: admin } });
      expect(read.json()).toMatchObject({ categories: [{ records: [{ fields: { name: 'Bo Owner', birthDate: '1980-01-01' } }] }] });
      expect(read.body).not.toContain('Mallory');
      const decoy = await server.inject({ method: 'GET', url: `/v1/accounts/${again.json<{ id: string }>().id}?purpose=provide-services`, headers: { authorization: admin } });
      expect(decoy.statusCode).toBe(404);

      const mail = (await outbox(vow, admin)).filter((message) => message.to === 'bo.owner@example.com');
      expect(mail).toEqual([expect.objectContaining({ subject: 'Someone tried to open a AIRobotics account with your address' })]);
    }));

  it('a verified request from the address joins its earlier messages to the account', () =>
    withVow(async (vow, admin) => {
      const { server } = vow;
      await server.inject({ method: 'POST', url: '/v1/communications', payload: { email: 'cy.writer@example.com', name: 'Cy Writer', message: 'When do you ship to Lyon?' } });
      const cy = (await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'cy.writer@example.com', name: 'Cy Writer', birthDate: '1980-01-01' } })).json<{ id: string }>().id;
      const filed = await server.inject({ method: 'POST', url: '/v1/requests', payload: { kind: 'access', email: 'cy.writer@example.com' } });
      const { id } = filed.json<{ id: string }>();
      const code = codeIn((await outbox(vow, admin)).find((message) => message.to === 'cy.writer@example.com' && message.kind === 'verification-code')?.text ?? '');
      expect((await server.inject({ method: 'POST', url: `/v1/requests/${id}/verify`, payload: { code } })).statusCode).toBe(200);

      const exported = await server.inject({ method: 'GET', url: `/v1/subjects/${cy}/export`, headers: { authorization: admin } });
      expect(exported.statusCode).toBe(200);
      expect(exported.rawPayload.length).toBeGreaterThan(0);
      const links = await vow.store.db.selectFrom('subject_links').select('linked_subject_id').where('subject_id', '=', cy).execute();
      const contact = await vow.store.db.selectFrom('subjects').select(['id', 'kind']).where('id', 'in', links.map((link) => link.linked_subject_id)).execute();
      expect(contact.map((row) => row.kind)).toEqual(['contact']);
    }));
});
