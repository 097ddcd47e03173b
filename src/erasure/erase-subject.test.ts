import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase, withStore, type TestDatabase } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import type { Store } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import { createAccount } from '../vault/create-account.js';
import { linkContact } from '../vault/link-contact.js';
import { openVault } from '../vault/open-vault.js';
import { recordCommunication } from '../vault/record-communication.js';
import { createSubject } from '../vault/subject-store.js';
import type { VaultContext } from '../vault/vault-context.js';
import { registerWebhook } from '../webhooks/register-webhook.js';
import { settlePurge } from './purge-erased.js';
import { eraseSubject } from './erase-subject.js';
import { listHolds, placeHold, releaseHold } from './legal-holds.js';
import { subjectTables } from './subject-tables.js';

const jane = { email: 'jane.erasure@example.com', name: 'Jane Quintessa Erasure', birthDate: '1990-04-01' };
const now = new Date('2026-03-01T10:00:00.000Z');

async function vaultOf(database: TestDatabase, store: Store): Promise<VaultContext> {
  const { declaration } = await loadDeclaration(examplePolicy);
  return openVault({ db: store.db, dataDir: database.dataDir, masterKeys: undefined, webhookPrivateAddresses: true, declaration });
}

/** A subject with data in every kind of table: account, message, events, consents, a linked visitor, a disclosure. */
export async function seedSubject(vault: VaultContext, person = jane): Promise<{ subjectId: string; visitorId: string }> {
  const db = vault.db;
  const { subjectId } = await createAccount(vault, { fields: person, actor: 'public', now });
  await recordCommunication(vault, { fields: { email: person.email, name: person.name, message: 'About my robot' }, source: 'contact-form', actor: 'public', now });
  // The message joins the account once staff know the writer holds the address.
  await linkContact(vault, { subjectId, email: person.email, actor: 'key:test', now });
  const visitor = await db.transaction().execute((trx) => createSubject(vault, trx, { kind: 'visitor', identifiers: [{ kind: 'visitor', value: `vis_${person.email}` }], now: now.toISOString() }));
  await db.insertInto('subject_links').values({ subject_id: subjectId, linked_subject_id: visitor.id, linked_at: now.toISOString() }).execute();
  for (const [index, owner] of [subjectId, subjectId, visitor.id].entries()) {
    await db
      .insertInto('events')
      .values({ id: `evt-${owner}-${index}`, subject_id: owner, category: index === 1 ? 'log-data' : 'usage-data', name: 'page_view', occurred_at: now.toISOString(), received_at: now.toISOString(), country: 'FR', data: 'sealed' })
      .execute();
  }
  await db
    .insertInto('consent_records')
    .values({ id: `con-${visitor.id}`, subject_id: visitor.id, policy_version: 1, granted: '["analytics"]', refused: '[]', source: 'banner', gpc: 0, dnt: 0, recorded_at: now.toISOString(), banner_hash: 'h', proof: 'p' })
    .execute();
  const disclosureId = `dis-${subjectId}`;
  await db
    .insertInto('disclosures')
    .values({ id: disclosureId, recipient: 'email', purpose: 'communicate', categories: '["account"]', country: 'US', kind: 'disclosure', details: '{}', actor: 'key:test', created_at: now.toISOString(), subject_count: 1, manifest_hash: 'm' })
    .execute();
  await db.insertInto('disclosure_subjects').values({ disclosure_id: disclosureId, subject_id: subjectId }).execute();
  return { subjectId, visitorId: visitor.id };
}

type Loose = Kysely<Record<string, Record<string, unknown>>>;

/** Rows naming the subject, per table, over every table of the registry. */
async function rowsNaming(db: Kysely<Database>, subjectId: string): Promise<Record<string, Record<string, unknown>[]>> {
  const loose = db as unknown as Loose;
  const found: Record<string, Record<string, unknown>[]> = {};
  for (const entry of subjectTables) {
    const rows = await loose.selectFrom(entry.table).selectAll().where(loose.dynamic.ref(entry.column), '=', subjectId).execute();
    if (rows.length > 0) found[`${entry.table}.${entry.column}`] = rows;
  }
  return found;
}

const deleteTables = (rows: Record<string, unknown>) =>
  Object.keys(rows).filter((key) => subjectTables.find((entry) => `${entry.table}.${entry.column}` === key)?.treatment === 'delete');

describeEachDatabase('erasure', (database) => {
  const withVault = (test: (vault: VaultContext) => Promise<void>) => withStore(database(), async (store) => test(await vaultOf(database(), store)));

  it('removes the subject and its linked visitor id from every table, destroys its key, and leaves a proof without personal data', () =>
    withVault(async (vault) => {
      const { subjectId, visitorId } = await seedSubject(vault);
      const other = await seedSubject(vault, { ...jane, email: 'someone.else@example.com', name: 'Someone Else' });
      expect(deleteTables(await rowsNaming(vault.db, subjectId)).length).toBeGreaterThan(5);

      // The linked visitor, and the writer of the message once linked to the account.
      const linked = (await vault.db.selectFrom('subject_links').select('linked_subject_id').where('subject_id', '=', subjectId).execute()).map((row) => row.linked_subject_id);
      expect(linked).toHaveLength(2);
      const outcome = await eraseSubject(vault, { subjectId, actor: 'key:admin', reason: 'request', requestId: 'req_1', now });
      // No recipient has a webhook: staff are given the task of telling the one of the seeded disclosure, and every
      // service provider and affiliate declared to receive what the subject has.
      expect(outcome).toEqual({
        subjectId,
        erasedAt: now.toISOString(),
        erased: true,
        heldCategories: [],
        recipientsNotified: [],
        recipientsToldByStaff: ['affiliates', 'cloud', 'email', 'events', 'hosting', 'it-services', 'web-analytics'],
      });
      // The key and every other table go in the erasure's transaction; the events, unreadable from then on, just after.
      await settlePurge(vault.db);

      for (const id of [subjectId, visitorId]) {
        const left = await rowsNaming(vault.db, id);
        expect(deleteTables(left)).toEqual([]);
        // What stays is pseudonymous: no e-mail, no name, no message anywhere.
        const text = JSON.stringify(left);
        for (const secret of [jane.email, jane.name, 'About my robot']) expect(text).not.toContain(secret);
      }
      const keys = await vault.db.selectFrom('subject_keys').select('subject_id').where('subject_id', 'in', [subjectId, visitorId]).execute();
      expect(keys).toEqual([]);

      const [proof] = await vault.db.selectFrom('erasures').selectAll().where('subject_id', '=', subjectId).execute();
      expect(proof).toMatchObject({ reason: 'request', request_id: 'req_1', erased: 1, held_categories: '[]', disclosures: `["dis-${subjectId}"]` });
      expect(JSON.parse(proof?.counts ?? '{}')).toMatchObject({ vault_records: 1, events: 2, subject_keys: 1, subjects: 1, disclosure_subjects: 1 });
      // The linked message went with it; the other person's account and message stay.
      expect(await vault.db.selectFrom('vault_records').select('subject_id').execute()).toHaveLength(2);

      // The other subject is untouched, and the audit chain still verifies.
      expect(deleteTables(await rowsNaming(vault.db, other.subjectId)).length).toBeGreaterThan(5);
      expect(await verifyAudit(vault.db)).toMatchObject({ ok: true });
      const audit = await vault.db.selectFrom('audit_log').select(['action', 'target', 'data']).where('action', '=', 'subject.erased').execute();
      expect(audit.map((row) => row.target).sort()).toEqual([subjectId, ...linked].map((id) => `subject:${id}`).sort());
      expect(linked).toContain(visitorId);
      expect(JSON.stringify(audit)).not.toContain(jane.email);
    }));

  it('queues a signed notice to every recipient that received the data and has an endpoint', () =>
    withVault(async (vault) => {
      const { subjectId } = await seedSubject(vault);
      const endpoint = await registerWebhook(vault, { recipient: 'email', url: 'http://127.0.0.1:9/hook', actor: 'key:admin', now });
      await registerWebhook(vault, { recipient: 'hosting', url: 'http://127.0.0.1:9/other', actor: 'key:admin', now });
      const outcome = await eraseSubject(vault, { subjectId, actor: 'key:admin', reason: 'admin', now });
      // Hosting received no recorded disclosure, but holds the account data it is declared to receive.
      expect(outcome.recipientsNotified).toEqual(['email', 'hosting']);
      // The subject's own notices (its linked visitors, erased with it, have theirs).
      const deliveries = await vault.db.selectFrom('webhook_deliveries').selectAll().where('subject_id', '=', subjectId).orderBy('recipient').execute();
      expect(deliveries).toHaveLength(2);
      expect(deliveries[0]?.endpoint_id).toBe(endpoint.id);
      expect(JSON.parse(deliveries[0]?.body ?? '')).toEqual({ event: 'erasure', subjectId, recipient: 'email', at: now.toISOString(), disclosures: [`dis-${subjectId}`] });
      expect(JSON.parse(deliveries[1]?.body ?? '')).toMatchObject({ recipient: 'hosting', disclosures: [] });
    }));

  it('refuses an unknown subject', () =>
    withVault(async (vault) => {
      await expect(eraseSubject(vault, { subjectId: 'sub_unknown', actor: 'key:admin', reason: 'admin' })).rejects.toMatchObject({ code: 'not_found' });
    }));

  it('keeps everything a legal hold on the whole subject holds, and reports it', () =>
    withVault(async (vault) => {
      const { subjectId } = await seedSubject(vault);
      const before = await rowsNaming(vault.db, subjectId);
      await placeHold(vault, { subjectId, reason: 'Litigation Doe v. Airobotics', actor: 'key:officer', now });
      const outcome = await eraseSubject(vault, { subjectId, actor: 'key:admin', reason: 'request', now });
      expect(outcome).toMatchObject({ erased: false, heldCategories: ['*'] });
      const after = await rowsNaming(vault.db, subjectId);
      for (const table of deleteTables(before)) expect(after[table]).toEqual(before[table]);
      expect(JSON.stringify(await vault.db.selectFrom('legal_holds').selectAll().execute())).not.toContain('Doe v.');
      expect(JSON.stringify(await vault.db.selectFrom('audit_log').selectAll().execute())).not.toContain('Doe v.');
      expect((await listHolds(vault, subjectId)).map((hold) => hold.reason)).toEqual(['Litigation Doe v. Airobotics']);
    }));

  it('keeps only the held categories, and finishes the erasure when the hold is released', () =>
    withVault(async (vault) => {
      const { subjectId } = await seedSubject(vault);
      const hold = await placeHold(vault, { subjectId, reason: 'Tax audit', categories: ['log-data', 'account'], actor: 'key:officer', now });
      const outcome = await eraseSubject(vault, { subjectId, actor: 'key:admin', reason: 'request', now });
      expect(outcome).toMatchObject({ erased: true, heldCategories: ['account', 'log-data'] });
      const records = await vault.db.selectFrom('vault_records').select('category').where('subject_id', '=', subjectId).execute();
      expect(records.map((row) => row.category)).toEqual(['account']);
      const events = await vault.db.selectFrom('events').select('category').where('subject_id', '=', subjectId).execute();
      expect(events.map((row) => row.category)).toEqual(['log-data']);
      // The held data stays readable: its key stays while it does.
      expect(await vault.db.selectFrom('subject_keys').select('subject_id').where('subject_id', '=', subjectId).execute()).toHaveLength(1);

      const released = await releaseHold(vault, { holdId: hold.id, actor: 'key:officer', now });
      expect(released.erasure).toMatchObject({ erased: true, heldCategories: [] });
      await settlePurge(vault.db);
      expect(deleteTables(await rowsNaming(vault.db, subjectId))).toEqual([]);
      expect(await verifyAudit(vault.db)).toMatchObject({ ok: true });
    }));

  it('refuses a hold naming an undeclared category or an unknown subject', () =>
    withVault(async (vault) => {
      const { subjectId } = await seedSubject(vault);
      await expect(placeHold(vault, { subjectId, reason: 'x', categories: ['secrets'], actor: 'key:officer' })).rejects.toMatchObject({ code: 'bad_request' });
      await expect(placeHold(vault, { subjectId: 'sub_nobody', reason: 'x', actor: 'key:officer' })).rejects.toMatchObject({ code: 'not_found' });
    }));
});
