/**
 * What the console asks of the API, as specifications of their own: the request queue a
 * page at a time in deadline order; a person found by e-mail through the blind index,
 * audited without the address; the audit log paged and filtered and the chain verified;
 * a declaration previewed (every problem, the changes, the page) and published with the
 * material flag, by the roles that may and no other.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { describeEachDatabase } from './support/databases.js';
import { examplePolicy } from './support/fixtures.js';

type Keys = Record<'officer' | 'auditor' | 'support', { authorization: string }>;

describeEachDatabase('the API the console speaks', (database) => {
  const withVow = async (test: (vow: Vow, keys: Keys) => Promise<void>) => {
    const vow = await createVow(database().config());
    try {
      const key = async (role: 'privacy-officer' | 'auditor' | 'support') => ({ authorization: `Bearer ${(await issueApiKey(vow.store.db, { role, purposes: [], actor: 'test' })).secret}` });
      await test(vow, { officer: await key('privacy-officer'), auditor: await key('auditor'), support: await key('support') });
    } finally {
      await vow.close();
    }
  };

  it('pages the request queue in deadline order, each request once, and refuses a cursor it did not give', () =>
    withVow(async (vow, { officer }) => {
      const filed = new Set<string>();
      // Ten: filing is limited to ten a minute per client address.
      for (let i = 0; i < 10; i += 1) {
        const answer = await vow.server.inject({ method: 'POST', url: '/v1/requests', headers: officer, payload: { kind: 'question', email: `queue${i}@example.com`, details: 'What do you hold?' } });
        expect(answer.statusCode, answer.body).toBe(202);
        filed.add(answer.json<{ id: string }>().id);
      }
      const seen: { id: string; dueAt: string }[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const query: string = after === null ? '' : `&after=${after}`;
        const page = (await vow.server.inject({ method: 'GET', url: `/v1/requests?limit=4${query}`, headers: officer })).json<{ requests: { id: string; dueAt: string }[]; next: string | null }>();
        seen.push(...page.requests);
        after = page.next;
        pages += 1;
      } while (after !== null && pages < 10);
      expect(pages).toBe(3);
      expect(new Set(seen.map((request) => request.id))).toEqual(filed);
      expect(seen.map((request) => `${request.dueAt} ${request.id}`)).toEqual(seen.map((request) => `${request.dueAt} ${request.id}`).sort());
      const forged = await vow.server.inject({ method: 'GET', url: '/v1/requests?after=bm90LWEtY3Vyc29y', headers: officer });
      expect(forged.statusCode).toBe(400);
      expect(forged.json<{ error: { message: string } }>().error.message).toBe('the page cursor is not one this list gave');
      // A cursor carrying bytes no database stores, or a time that is none: refused the same way, never a 500.
      for (const key of [['\u0000', 'req_AAAAAAAAAAAAAAAAAAAAAA'], ['2026-01-01T00:00:00.000Z\u0000', 'req_AAAAAAAAAAAAAAAAAAAAAA'], [1, 2]]) {
        const tampered = await vow.server.inject({ method: 'GET', url: `/v1/requests?after=${Buffer.from(JSON.stringify(key)).toString('base64url')}`, headers: officer });
        expect(tampered.statusCode, tampered.body).toBe(400);
      }
    }));

  it('finds a person by e-mail through the blind index, for roles that read accounts, and audits the search without the address', () =>
    withVow(async (vow, { officer, support, auditor }) => {
      const signedUp = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'Ada.Search@example.com', name: 'Ada Search', birthDate: '1990-01-01' } });
      const { id } = signedUp.json<{ id: string }>();
      const found = await vow.server.inject({ method: 'POST', url: '/v1/subjects/search', headers: support, payload: { email: 'ada.search@EXAMPLE.com' } });
      expect(found.statusCode, found.body).toBe(200);
      expect(found.json<{ subjects: { id: string; kind: string }[] }>().subjects).toEqual([expect.objectContaining({ id, kind: 'account' })]);
      const nobody = await vow.server.inject({ method: 'POST', url: '/v1/subjects/search', headers: officer, payload: { email: 'nobody@example.com' } });
      expect(nobody.json<{ subjects: unknown[] }>().subjects).toEqual([]);
      expect((await vow.server.inject({ method: 'POST', url: '/v1/subjects/search', headers: auditor, payload: { email: 'ada.search@example.com' } })).statusCode).toBe(403);
      expect((await vow.server.inject({ method: 'POST', url: '/v1/subjects/search', headers: officer, payload: { email: 'not an address' } })).statusCode).toBe(400);
      const audit = await vow.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'subject.searched').execute();
      expect(audit.map((row) => row.target)).toEqual([`subject:${id}`, 'subjects']);
      expect(JSON.stringify(audit).toLowerCase()).not.toContain('ada.search');
    }));

  it('pages the audit log newest first, filters it by action family, actor and target, and verifies the whole chain', () =>
    withVow(async (vow, { officer, auditor, support }) => {
      for (let i = 0; i < 3; i += 1) await vow.server.inject({ method: 'POST', url: '/v1/requests', headers: officer, payload: { kind: 'question', email: `audit${i}@example.com`, details: 'Hello' } });
      const first = (await vow.server.inject({ method: 'GET', url: '/v1/audit?limit=2', headers: auditor })).json<{ records: { seq: number; action: string; target: string }[]; next: number | null }>();
      const [newest, older] = first.records.map((record) => record.seq);
      expect(first.records).toHaveLength(2);
      expect(newest).toBeGreaterThan(older ?? Infinity);
      const second = (await vow.server.inject({ method: 'GET', url: `/v1/audit?limit=2&before=${first.next ?? 0}`, headers: auditor })).json<{ records: { seq: number }[] }>();
      expect(second.records[0]?.seq).toBe((older ?? 0) - 1);
      const family = (await vow.server.inject({ method: 'GET', url: '/v1/audit?action=request.', headers: auditor })).json<{ records: { action: string; target: string }[] }>();
      expect(family.records.length).toBeGreaterThanOrEqual(3);
      expect(family.records.every((record) => record.action.startsWith('request.'))).toBe(true);
      const target = family.records[0]?.target ?? '';
      const one = (await vow.server.inject({ method: 'GET', url: `/v1/audit?target=${encodeURIComponent(target)}`, headers: auditor })).json<{ records: { target: string }[] }>();
      expect(one.records.every((record) => record.target === target)).toBe(true);
      expect((await vow.server.inject({ method: 'GET', url: '/v1/audit?action=request.%25', headers: auditor })).statusCode).toBe(400);
      expect((await vow.server.inject({ method: 'GET', url: '/v1/audit?before=2147483648', headers: auditor })).statusCode).toBe(400);
      // `_` is a letter of a name here, not LIKE's wildcard: `request_` finds nothing.
      expect((await vow.server.inject({ method: 'GET', url: '/v1/audit?action=reques_.', headers: auditor })).json<{ records: unknown[] }>().records).toEqual([]);
      expect((await vow.server.inject({ method: 'GET', url: '/v1/audit', headers: support })).statusCode).toBe(403);
      const verified = (await vow.server.inject({ method: 'GET', url: '/v1/audit/verification', headers: auditor })).json<{ ok: boolean; count: number; headSeq: number }>();
      expect(verified).toMatchObject({ ok: true });
      expect(verified.count).toBe(verified.headSeq);
    }));

  it('previews a declaration with every problem at once, or its changes, page and banner, and publishes it as the version every server enforces', () =>
    withVow(async (vow, { officer, auditor }) => {
      const text = readFileSync(examplePolicy, 'utf8');
      const broken = text.replace('legalBasis: contract', 'legalBasis: because').replace('shortName: AIRobotics', 'shortName: [AIRobotics');
      // Text built to break the parser is a problem like any other, answered at once.
      for (const hostile of ['- '.repeat(100_000), 'organization: *nowhere']) {
        const answer = await vow.server.inject({ method: 'POST', url: '/v1/policy/preview', headers: officer, payload: { declaration: hostile } });
        expect(answer.statusCode, answer.body).toBe(200);
        expect(answer.json<{ ok: boolean }>().ok).toBe(false);
      }
      expect((await vow.server.inject({ method: 'POST', url: '/v1/policy/preview', headers: officer, payload: { declaration: 'a'.repeat(300 * 1024) } })).statusCode).toBe(413);
      const refused = (await vow.server.inject({ method: 'POST', url: '/v1/policy/preview', headers: officer, payload: { declaration: broken } })).json<{ ok: boolean; problems: unknown[] }>();
      expect(refused.ok).toBe(false);
      expect(refused.problems.length).toBeGreaterThanOrEqual(1);
      const changed = text.replace('description: To communicate with you', 'description: To write to you about your orders and our services');
      const preview = await vow.server.inject({ method: 'POST', url: '/v1/policy/preview', headers: officer, payload: { declaration: changed, material: true } });
      expect(preview.statusCode, preview.body).toBe(200);
      const shown = preview.json<{ ok: boolean; changes: { kind: string; path: string }[]; page: string; banner: { categories: unknown[] }; unchanged: boolean }>();
      expect(shown).toMatchObject({ ok: true, unchanged: false });
      expect(shown.changes).toHaveLength(1);
      expect(shown.changes[0]).toMatchObject({ kind: 'changed' });
      expect(shown.changes[0]?.path).toContain('purposes');
      expect(shown.page).toContain('To write to you about your orders and our services');
      expect(shown.banner.categories.length).toBeGreaterThan(0);
      expect((await vow.server.inject({ method: 'GET', url: '/v1/policy' })).json<{ number: number }>().number).toBe(1);

      expect((await vow.server.inject({ method: 'POST', url: '/v1/policy/versions', headers: auditor, payload: { declaration: changed } })).statusCode).toBe(403);
      const notPublished = await vow.server.inject({ method: 'POST', url: '/v1/policy/versions', headers: officer, payload: { declaration: broken } });
      expect(notPublished.statusCode).toBe(422);
      const published = await vow.server.inject({ method: 'POST', url: '/v1/policy/versions', headers: officer, payload: { declaration: changed, material: true } });
      expect(published.statusCode, published.body).toBe(201);
      expect(published.json<{ version: { number: number; material: boolean } }>().version).toMatchObject({ number: 2, material: true });
      expect((await vow.server.inject({ method: 'GET', url: '/v1/policy' })).json<{ number: number }>().number).toBe(2);
      await expect.poll(async () => (await vow.server.inject({ method: 'GET', url: '/privacy' })).body).toContain('To write to you about your orders and our services');
      await expect.poll(async () => (await vow.server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<{ policyVersion: number; lastMaterialVersion: number }>()).toMatchObject({ policyVersion: 2, lastMaterialVersion: 2 });
      const again = await vow.server.inject({ method: 'POST', url: '/v1/policy/versions', headers: officer, payload: { declaration: changed } });
      expect(again.statusCode).toBe(200);
      expect(again.json<{ published: boolean }>().published).toBe(false);
    }));
  it('counts the day for the overview: requests by deadline, consent per day and per category, and only the parts each role may see', () =>
    withVow(async (vow, { officer, auditor, support }) => {
      await vow.server.inject({ method: 'POST', url: '/v1/requests', headers: officer, payload: { kind: 'question', email: 'overview@example.com', details: 'Hello' } });
      const banner = (await vow.server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<{ policyVersion: number; bannerHash: string }>();
      const decide = (granted: string[], refused: string[]) =>
        vow.server.inject({ method: 'POST', url: '/v1/consent', payload: { granted, refused, source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash } });
      expect((await decide(['analytics'], ['advertising'])).statusCode).toBe(201);
      expect((await decide(['analytics', 'advertising'], [])).statusCode).toBe(201);
      expect((await decide([], ['analytics', 'advertising'])).statusCode).toBe(201);
      const overview = (await vow.server.inject({ method: 'GET', url: '/v1/overview', headers: officer })).json<{
        requests: { pending: number; dueSoon: number; overdue: number };
        consent: { perDay: { day: string; decisions: number }[]; categories: { id: string; granted: number; refused: number; optInRate: number | null }[] };
        budget?: unknown[];
        audit?: { records: number };
        breaches?: { open: number };
      }>();
      expect(overview.requests).toEqual({ pending: 1, dueSoon: 0, overdue: 0 });
      expect(overview.consent.perDay).toHaveLength(14);
      expect(overview.consent.perDay.at(-1)).toEqual({ day: new Date().toISOString().slice(0, 10), decisions: 3 });
      expect(overview.consent.categories).toEqual([
        expect.objectContaining({ id: 'analytics', granted: 2, refused: 1 }),
        expect.objectContaining({ id: 'advertising', granted: 1, refused: 2 }),
      ]);
      expect(overview.consent.categories[0]?.optInRate).toBeCloseTo(2 / 3);
      expect(overview).toMatchObject({ audit: { records: expect.any(Number) as unknown }, breaches: { open: 0 } });
      expect(overview.budget).toHaveLength(1);
      const seenBy = async (headers: { authorization: string }) => Object.keys((await vow.server.inject({ method: 'GET', url: '/v1/overview', headers })).json<object>()).sort();
      expect(await seenBy(auditor)).toEqual(['audit', 'breaches', 'consent', 'events', 'requests']);
      expect(await seenBy(support)).toEqual(['consent', 'events', 'requests']);
    }));
  it('keeps a register of disclosures, newest first, paged, without their details, for the roles that read disclosures', () =>
    withVow(async (vow, { officer, auditor }) => {
      const ids: string[] = [];
      for (const name of ['Una', 'Vic', 'Wes']) {
        const signedUp = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: `${name.toLowerCase()}.register@example.com`, name: `${name} Register`, birthDate: '1990-01-01' } });
        ids.push(signedUp.json<{ id: string }>().id);
      }
      for (const id of ids) {
        const made = await vow.server.inject({ method: 'POST', url: '/v1/disclosures', headers: officer, payload: { recipient: 'hosting', categories: ['account'], purpose: 'provide-services', subjects: { ids: [id] } } });
        expect(made.statusCode, made.body).toBe(201);
      }
      const first = (await vow.server.inject({ method: 'GET', url: '/v1/disclosures?limit=2', headers: auditor })).json<{ disclosures: { id: string; at: string; recipient: string; subjectCount: number }[]; next: string | null }>();
      expect(first.disclosures).toHaveLength(2);
      expect(first.disclosures[0]).toMatchObject({ recipient: 'hosting', subjectCount: 1 });
      const rest = (await vow.server.inject({ method: 'GET', url: `/v1/disclosures?limit=2&after=${first.next ?? ''}`, headers: auditor })).json<{ disclosures: { id: string; at: string }[]; next: string | null }>();
      expect(rest.disclosures).toHaveLength(1);
      expect(rest.next).toBeNull();
      const all = [...first.disclosures, ...rest.disclosures];
      expect(new Set(all.map((disclosure) => disclosure.id)).size).toBe(3);
      expect(all.map((disclosure) => disclosure.at)).toEqual(all.map((disclosure) => disclosure.at).sort().reverse());
      expect(JSON.stringify(all)).not.toContain('Register');
    }));
  it('refuses NUL bytes and lone surrogates in every new text field at the edge, storing nothing', () =>
    withVow(async (vow, { officer, auditor }) => {
      const before = (await vow.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n;
      for (const hostile of ['a\u0000b', 'a\udfffb']) {
        for (const [url, headers, payload] of [
          ['/v1/subjects/search', officer, { email: `x${hostile}@example.com` }],
          ['/v1/policy/preview', officer, { declaration: `organization:\n  name: ${hostile}\n` }],
          ['/v1/policy/versions', officer, { declaration: `organization:\n  name: ${hostile}\n` }],
        ] as const) {
          const answer = await vow.server.inject({ method: 'POST', url, headers, payload });
          expect(answer.statusCode, `${url}: ${answer.body}`).toBe(400);
          expect(answer.json<{ error: { code: string } }>().error.code).toBe('bad_request');
        }
      }
      // In a query, as a browser would send them: NUL, and a lone surrogate's bytes.
      for (const hostile of ['a%00b', 'a%ED%BF%BFb']) {
        const filtered = await vow.server.inject({ method: 'GET', url: `/v1/audit?target=${hostile}`, headers: auditor });
        expect(filtered.statusCode, filtered.body).toBe(400);
      }
      const after = (await vow.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n;
      expect(Number(after)).toBe(Number(before));
    }));
});
