/**
 * The company's systems know people by more than their e-mail: a phone number, a customer
 * number. Vow reads each from the subject's records, seals it on the task, and only then
 * erases the subject, whose key goes with everything it could have been read from.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { createVow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { describeEachDatabase } from './support/databases.js';
import { examplePolicy } from './support/fixtures.js';
import { tellRecipientsOf } from './support/staff-tasks.js';

const folder = mkdtempSync(join(tmpdir(), 'vow-systems-identity-'));
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

const phone = '+49 89 555 0142';
const member = 'LOY-77-1815';

const systems = `
systems:
  - id: hotline
    engine: sqlite
    description: The hotline's call log and loyalty club
    connection: HOTLINE_DATABASE_URL
    tables:
      - name: callers
        identity: { column: phone_number, type: phone }
        fields: [{ column: phone_number, category: account, field: phone }]
        erase: delete
      - name: members
        identity: { column: member_no, type: external-id }
        fields: [{ column: member_no, category: account, field: loyaltyNumber }]
        erase: delete
      - name: member_visits
        references: { column: member_no, table: members, key: member_no }
        erase: delete
`;

function policyWithPhoneAndLoyalty(): string {
  const text = readFileSync(examplePolicy, 'utf8').replace(
    '      - { name: name, description: name }\n',
    "      - { name: name, description: name }\n      - { name: phone, description: telephone number }\n      - { name: loyaltyNumber, description: 'loyalty club number' }\n",
  );
  const path = join(folder, `${Math.random().toString(36).slice(2)}.policy.yaml`);
  writeFileSync(path, text + systems);
  return path;
}

function createHotline(path: string): void {
  const db = new Sqlite(path);
  db.exec(`
    create table callers (id integer primary key, phone_number text not null, topic text);
    create table members (member_no text primary key, joined text);
    create table member_visits (id integer primary key, member_no text not null references members (member_no), store text);
    insert into callers (phone_number, topic) values ('${phone}', 'a broken gripper'), ('+1 555 0100', 'someone else');
    insert into members values ('${member}', '2024-01-01'), ('LOY-00-0001', '2020-05-05');
    insert into member_visits (member_no, store) values ('${member}', 'Munich'), ('${member}', 'Berlin'), ('LOY-00-0001', 'Hamburg');
  `);
  db.close();
}

const rowsOf = (path: string) => {
  const db = new Sqlite(path, { readonly: true });
  try {
    return {
      callers: db.prepare('select phone_number from callers order by id').pluck().all(),
      members: db.prepare('select member_no from members order by member_no').pluck().all(),
      visits: db.prepare('select store from member_visits order by id').pluck().all(),
    };
  } finally {
    db.close();
  }
};

describeEachDatabase('requests find the subject by phone and by the company’s own customer number', (database) => {
  it('a deletion erases the rows found by phone, by customer number and through its references, and nobody else’s', async () => {
    const hotline = join(mkdtempSync(join(folder, 'hotline-')), 'hotline.db');
    createHotline(hotline);
    const { dataDir } = database();
    const vow = await createVow(database().config({ VOW_POLICY: policyWithPhoneAndLoyalty(), HOTLINE_DATABASE_URL: hotline }));
    try {
      const staff = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret}` };
      const account = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'ada@example.com', name: 'Ada', birthDate: '1990-01-01', phone, loyaltyNumber: member } });
      expect(account.statusCode, account.body).toBe(201);
      const subjectId = account.json<{ id: string }>().id;
      const filed = await vow.server.inject({ method: 'POST', url: '/v1/requests', headers: staff, payload: { kind: 'deletion', subjectId, verified: true, verification: 'desk' } });
      const id = filed.json<{ id: string }>().id;
      const completed = await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
      expect(completed.json()).toMatchObject({ status: 'waiting', outcome: 'erased' });
      await tellRecipientsOf(vow, staff, id);
      await expect.poll(async () => (await vow.server.inject({ method: 'GET', url: `/v1/requests/${id}`, headers: staff })).json<{ status: string }>().status, { timeout: 10_000 }).toBe('completed');
      expect(rowsOf(hotline)).toEqual({ callers: ['+1 555 0100'], members: ['LOY-00-0001'], visits: ['Hamburg'] });
    } finally {
      await vow.close();
    }
    // The values were sealed on the task, never written in the clear (on PostgreSQL the folder holds the keys only).
    for (const name of readdirSync(dataDir)) {
      const bytes = readFileSync(join(dataDir, name));
      expect(bytes.includes(Buffer.from(phone)), name).toBe(false);
      expect(bytes.includes(Buffer.from(member)), name).toBe(false);
    }
  });
});
