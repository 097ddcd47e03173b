import { expect, it } from 'vitest';
import { describeEachDatabase, withStore, type TestDatabase } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { recordConsent } from '../consent/record-consent.js';
import { bannerFor } from '../consent/banner.js';
import { eraseSubject } from '../erasure/erase-subject.js';
import { readOutbox } from '../outbox/outbox.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { publishPolicy } from '../policy/publish-policy.js';
import { runRetention } from '../retention/run-retention.js';
import type { Store } from '../store/open-store.js';
import { createAccount } from '../vault/create-account.js';
import { openVault } from '../vault/open-vault.js';
import type { VaultContext } from '../vault/vault-context.js';
import { extendRequest } from './extend-request.js';
import { fileRequest, MAX_REQUESTS_PER_ADDRESS_PER_DAY } from './file-request.js';
import { listDataSubjectRequests, showDataSubjectRequest } from './read-requests.js';
import { expireRequests, remindDueRequests } from './request-jobs.js';
import { isSaleOptedOut, saleCookieCategories, setSaleOptOut } from './sale-opt-out.js';
import { readContactAddress } from './contact-address.js';
import { verifyRequest } from './verify-request.js';

const received = new Date('2026-03-02T09:00:00.000Z');
const hours = (n: number) => new Date(received.getTime() + n * 60 * 60 * 1000);
const days = (n: number) => hours(24 * n);

async function withVault(database: TestDatabase, test: (vault: VaultContext, store: Store) => Promise<void>): Promise<void> {
  const { declaration } = await loadDeclaration(examplePolicy);
  await withStore(database, async (store) => {
    await test(await openVault({ db: store.db, dataDir: database.dataDir, masterKeys: undefined, declaration }), store);
  });
}

const codeOf = async (vault: VaultContext, to: string) => /enter this code: (\d{6})/.exec((await readOutbox(vault)).find((message) => message.to === to && message.kind === 'verification-code')?.text ?? '')?.[1] ?? '';

describeEachDatabase('requests, verification and deadlines', (database) => {
  it('a code is single use, dies after five wrong tries, and expires; an unverified request expires with it', async () => {
    await withVault(database(), async (vault) => {
      const filed = await fileRequest(vault, { kind: 'access', email: 'tries@example.com', actor: 'public', now: received });
      const code = await codeOf(vault, 'tries@example.com');
      const wrong = code === '123456' ? '654321' : '123456';
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        await expect(verifyRequest(vault, { requestId: filed.id, code: wrong, now: hours(1) })).rejects.toMatchObject({ code: 'bad_request' });
      }
      await expect(verifyRequest(vault, { requestId: filed.id, code, now: hours(1) })).rejects.toMatchObject({ code: 'rate_limited' });

      const second = await fileRequest(vault, { kind: 'deletion', email: 'late@example.com', actor: 'public', now: received });
      const late = await codeOf(vault, 'late@example.com');
      await expect(verifyRequest(vault, { requestId: second.id, code: late, now: hours(25) })).rejects.toMatchObject({ code: 'expired' });
      expect(await expireRequests(vault, hours(25))).toMatchObject({ expired: 2 });
      expect((await showDataSubjectRequest(vault, second.id)).status).toBe('expired');
      await expect(verifyRequest(vault, { requestId: second.id, code: late, now: hours(25) })).rejects.toMatchObject({ code: 'expired' });
    });
  });

  it('one address may file five requests a day, known or not', async () => {
    await withVault(database(), async (vault) => {
      for (let index = 0; index < MAX_REQUESTS_PER_ADDRESS_PER_DAY; index += 1) {
        await fileRequest(vault, { kind: 'question', email: 'busy@example.com', details: 'hello?', actor: 'public', now: received });
      }
      await expect(fileRequest(vault, { kind: 'question', email: 'BUSY@example.com', details: 'again', actor: 'public', now: hours(1) })).rejects.toMatchObject({ code: 'rate_limited' });
      await fileRequest(vault, { kind: 'question', email: 'busy@example.com', details: 'next day', actor: 'public', now: hours(25) });
    });
  });

  it('erasing a subject takes its request mail and address index away; a closed request forgets its address index after 90 days', async () => {
    await withVault(database(), async (vault, store) => {
      const { subjectId } = await createAccount(vault, { fields: { email: 'mail@example.com', name: 'Mae Ling', birthDate: '1980-01-01' }, actor: 'public', now: received });
      const filed = await fileRequest(vault, { kind: 'access', email: 'mail@example.com', jurisdiction: 'US-CA', actor: 'public', now: received });
      const stranger = await fileRequest(vault, { kind: 'access', email: 'stranger@example.com', actor: 'public', now: received });
      const queued = await readOutbox(vault);
      expect(queued.map((message) => [message.kind, message.subjectId])).toEqual(
        expect.arrayContaining([
          ['verification-code', subjectId],
          ['acknowledgement', subjectId],
        ]),
      );
      await eraseSubject(vault, { subjectId, actor: 'test', reason: 'admin', now: hours(1) });
      expect((await readOutbox(vault)).filter((message) => message.to === 'mail@example.com')).toEqual([]);

      const addressOf = async (id: string) => (await store.db.selectFrom('requests').select('address_hash').where('id', '=', id).executeTakeFirstOrThrow()).address_hash;
      expect(await addressOf(filed.id)).toBeNull();

      await expireRequests(vault, hours(25));
      expect(await addressOf(stranger.id)).not.toBeNull();
      await expireRequests(vault, days(92));
      expect(await addressOf(stranger.id)).toBeNull();
    });
  });

  it('an opt-out from an address we do not know yet is honored by the account later opened with it', async () => {
    await withVault(database(), async (vault, store) => {
      const filed = await fileRequest(vault, { kind: 'opt-out', email: 'Future.Member@example.com', actor: 'public', now: received });
      expect(filed.status).toBe('completed');
      const remembered = await store.db.selectFrom('sale_opt_out_addresses').selectAll().execute();
      expect(remembered).toHaveLength(1);
      expect(JSON.stringify(remembered)).not.toContain('future.member');

      const other = await createAccount(vault, { fields: { email: 'someone@example.com', name: 'Some One', birthDate: '1980-01-01' }, actor: 'public', now: hours(1) });
      expect(await isSaleOptedOut(store.db, other.subjectId)).toBe(false);
      const member = await createAccount(vault, { fields: { email: 'future.member@example.com', name: 'Fu Ture', birthDate: '1980-01-01' }, actor: 'public', now: hours(2) });
      expect(await isSaleOptedOut(store.db, member.subjectId)).toBe(true);
      expect(await store.db.selectFrom('sale_opt_out_addresses').selectAll().execute()).toEqual([]);
    });
  });

  it('refuses an address that is not one, whoever files', async () => {
    await withVault(database(), async (vault) => {
      await expect(fileRequest(vault, { kind: 'access', email: 'not-an-address', actor: 'cli' })).rejects.toMatchObject({ code: 'bad_request', message: 'email is not an e-mail address' });
    });
  });

  it('CCPA requests are acknowledged at once; an extension goes out inside the first period only, once, and the requester is told why', async () => {
    await withVault(database(), async (vault) => {
      const ccpa = await fileRequest(vault, { kind: 'access', email: 'cal@example.com', jurisdiction: 'US-CA', actor: 'public', now: received });
      const messages = await readOutbox(vault);
      expect(messages.find((message) => message.kind === 'acknowledgement')?.text).toContain('We will answer by 2026-04-16');
      const shown = await showDataSubjectRequest(vault, ccpa.id);
      expect(shown).toMatchObject({ jurisdiction: 'ccpa', dueAt: days(45).toISOString() });

      const extended = await extendRequest(vault, { requestId: ccpa.id, actor: 'cli', reason: 'the archive must be restored from tape', now: days(40) });
      expect(extended).toMatchObject({ dueAt: days(90).toISOString(), notified: true });
      expect((await readOutbox(vault)).find((message) => message.kind === 'extension')?.text).toContain('Reason: the archive must be restored from tape');
      await expect(extendRequest(vault, { requestId: ccpa.id, actor: 'cli', reason: 'again', now: days(41) })).rejects.toMatchObject({ code: 'conflict' });
      expect((await showDataSubjectRequest(vault, ccpa.id)).events.find((event) => event.type === 'extended')?.note).toBe('the archive must be restored from tape');

      const gdpr = await fileRequest(vault, { kind: 'access', email: 'eu@example.com', jurisdiction: 'DE', actor: 'public', now: received });
      await expect(extendRequest(vault, { requestId: gdpr.id, actor: 'cli', reason: 'too late', now: days(32) })).rejects.toMatchObject({ code: 'conflict' });
    });
  });

  it('near-due and overdue requests are listed and reminded to the organisation once per request per day', async () => {
    await withVault(database(), async (vault) => {
      const filed = await fileRequest(vault, { kind: 'question', email: 'wait@example.com', details: 'any news?', actor: 'public', now: received });
      expect(await listDataSubjectRequests(vault, { due: true, now: days(10) })).toEqual([]);
      const near = await listDataSubjectRequests(vault, { due: true, now: days(25) });
      expect(near.map((request) => [request.id, request.nearDue, request.overdue])).toEqual([[filed.id, true, false]]);
      expect(await remindDueRequests(vault, days(25))).toEqual({ reminded: 1 });
      expect(await remindDueRequests(vault, hours(25 * 24 + 5))).toEqual({ reminded: 0 });
      expect(await remindDueRequests(vault, days(40))).toEqual({ reminded: 1 });
      const reminders = (await readOutbox(vault)).filter((message) => message.kind === 'reminder');
      expect(reminders.map((message) => message.to)).toEqual([vault.declaration.organization.contactEmail, vault.declaration.organization.contactEmail]);
      expect(reminders[0]?.subject).toContain('OVERDUE');
      expect((await listDataSubjectRequests(vault, { due: true, now: days(40) }))[0]?.overdue).toBe(true);
    });
  });

  it('an opt-out refuses the sale and advertising cookie categories in a new consent record, and the request log outlives erasure and retention', async () => {
    await withVault(database(), async (vault, store) => {
      const { subjectId } = await createAccount(vault, { fields: { email: 'opt@example.com', name: 'Opt Out', birthDate: '1980-01-01' }, actor: 'public', now: received });
      expect(await readContactAddress(vault, subjectId)).toBe('opt@example.com');
      const sale = saleCookieCategories(vault.declaration);
      expect(sale.length).toBeGreaterThan(0);
      await publishPolicy(store.db, { declaration: vault.declaration, material: false, actor: 'test' });
      // A visitor's decision granting everything, linked to the account.
      const banner = bannerFor(vault.declaration, { policyVersion: 1, lastMaterialVersion: 1 });
      const consent = await recordConsent(vault, {
        granted: vault.declaration.cookies.filter((group) => !group.necessary).map((group) => group.id),
        refused: [],
        source: 'banner',
        policyVersion: 1,
        bannerHash: banner.bannerHash,
        signals: { gpc: false, dnt: false },
        now: received,
      });
      await store.db.insertInto('subject_links').values({ subject_id: subjectId, linked_subject_id: consent.subjectId, linked_at: received.toISOString() }).execute();

      const filed = await fileRequest(vault, { kind: 'opt-out', email: 'opt@example.com', actor: 'public', now: hours(1) });
      expect(filed.status).toBe('completed');
      expect(await isSaleOptedOut(store.db, subjectId)).toBe(true);
      const latest = await store.db.selectFrom('consent_records').select(['granted', 'refused', 'source']).where('subject_id', '=', consent.subjectId).orderBy('recorded_at', 'desc').executeTakeFirstOrThrow();
      for (const category of sale) {
        expect(JSON.parse(latest.refused)).toContain(category);
        expect(JSON.parse(latest.granted)).not.toContain(category);
      }
      await store.db.transaction().execute((trx) => setSaleOptOut(vault, trx, { subjectId, optedOut: false, reason: 'opt-in', actor: 'test', now: hours(2) }));
      expect(await isSaleOptedOut(store.db, subjectId)).toBe(false);

      await eraseSubject(vault, { subjectId, actor: 'test', reason: 'admin', now: hours(3) });
      await runRetention(store.db, { declaration: vault.declaration, now: days(800), actor: 'system' });
      const log = await showDataSubjectRequest(vault, filed.id);
      expect(log).toMatchObject({ subjectId, outcome: 'opted-out' });
      expect(log.email).toBeUndefined();
      expect(log.events.map((event) => event.type)).toEqual(['received', 'completed']);
      expect(await readContactAddress(vault, subjectId)).toBeUndefined();
      expect((await verifyAudit(store.db)).ok).toBe(true);
    });
  });
});
