import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { readOutbox } from '../src/outbox/outbox.js';
import { isSaleOptedOut } from '../src/requests/sale-opt-out.js';
import { describeEachDatabase } from './support/databases.js';
import { examplePolicy } from './support/fixtures.js';

/** The example without its age-gate cookie. */
function withoutFlagCookie(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'vow-no-flag-')), 'vow.policy.yaml');
  const source = readFileSync(examplePolicy, 'utf8');
  const start = source.indexOf('      - name: vow_age_gate');
  writeFileSync(file, source.slice(0, start) + source.slice(source.indexOf('duration: P1D\n', start) + 'duration: P1D\n'.length));
  return file;
}

interface ErrorJson {
  error: { code: string; message: string };
}
interface ReportSummary {
  id: string;
  status: string;
  subjectId: string | null;
  outcome: string | null;
}

const yearsAgo = (years: number) => {
  const date = new Date();
  date.setUTCFullYear(date.getUTCFullYear() - years);
  date.setUTCDate(date.getUTCDate() - 10);
  return date.toISOString().slice(0, 10);
};

async function signUp(vow: Vow, email: string, birthDate: string): Promise<string> {
  const response = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email, name: 'Sam Young', birthDate } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}

describeEachDatabase("children's data", (database) => {
  it('takes a report without revealing whether the child is known, and confirming it erases the child and tells the reporter', async () => {
    const vow = await createVow(database().config());
    try {
      const { server } = vow;
      const officer = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret}` };
      const support = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'support', purposes: [], actor: 'test' })).secret}` };
      // Lied about the age at sign-up: the gate let the account through.
      const child = await signUp(vow, 'kid@example.com', yearsAgo(20));
      const report = (payload: Record<string, unknown>) => server.inject({ method: 'POST', url: '/v1/reports/child', payload });

      const known = await report({ reporterEmail: 'parent@example.com', childEmail: 'KID@example.com', details: 'My son Sam is 11 and opened an account.' });
      const unknown = await report({ reporterEmail: 'teacher@example.com', childEmail: 'nobody@example.com', details: 'A pupil of mine, Lee, aged 10.' });
      expect(known.statusCode, known.body).toBe(202);
      expect(unknown.statusCode).toBe(202);
      expect(Object.keys(known.json())).toEqual(Object.keys(unknown.json()));
      expect(known.json()).toMatchObject({ status: 'received' });
      const knownId = known.json<{ reportId: string }>().reportId;
      const unknownId = unknown.json<{ reportId: string }>().reportId;

      const stored = JSON.stringify(await vow.store.db.selectFrom('child_reports').selectAll().execute());
      for (const secret of ['parent@example.com', 'kid@example.com', 'KID@', 'Sam is 11', 'teacher@', 'Lee']) expect(stored).not.toContain(secret);

      for (const bad of [{ details: 'no one named' }, { childEmail: 'not-an-address', details: 'x' }, { childEmail: 'kid@example.com', details: '   ' }]) {
        const refused = await report(bad);
        expect(refused.statusCode, JSON.stringify(bad)).toBe(400);
      }

      const listed = await server.inject({ method: 'GET', url: '/v1/reports?status=open', headers: officer });
      expect(listed.statusCode, listed.body).toBe(200);
      const reports = listed.json<{ reports: ReportSummary[] }>().reports;
      expect(reports.map((r) => r.id).sort()).toEqual([knownId, unknownId].sort());
      expect(reports.find((r) => r.id === knownId)?.subjectId).toBe(child);
      expect(reports.find((r) => r.id === unknownId)?.subjectId).toBeNull();
      expect((await server.inject({ method: 'GET', url: '/v1/reports', headers: support })).statusCode).toBe(403);
      const shown = await server.inject({ method: 'GET', url: `/v1/reports/${knownId}`, headers: officer });
      expect(shown.json()).toMatchObject({ reporterEmail: 'parent@example.com', childEmail: 'KID@example.com', details: 'My son Sam is 11 and opened an account.' });

      const received = await readOutbox(vow.vault);
      expect(received.filter((m) => m.kind === 'child-report').map((m) => m.to).sort()).toEqual(['parent@example.com', 'teacher@example.com']);

      const confirmed = await server.inject({ method: 'POST', url: `/v1/reports/${knownId}/confirm`, headers: officer, payload: {} });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      expect(confirmed.json()).toMatchObject({ status: 'confirmed', outcome: 'erased' });
      expect(await vow.store.db.selectFrom('subjects').select('id').where('id', '=', child).executeTakeFirst()).toBeUndefined();
      expect(await vow.store.db.selectFrom('vault_records').select('id').where('subject_id', '=', child).execute()).toEqual([]);
      const erasure = await vow.store.db.selectFrom('audit_log').select('action').where('target', '=', `subject:${child}`).execute();
      expect(erasure.map((row) => row.action)).toContain('subject.erased');
      const afterConfirm = await server.inject({ method: 'GET', url: `/v1/reports/${knownId}`, headers: officer });
      expect(afterConfirm.json()).toMatchObject({ status: 'confirmed', outcome: 'erased', childEmail: null, details: null, reporterEmail: 'parent@example.com' });
      const again = await server.inject({ method: 'POST', url: `/v1/reports/${knownId}/confirm`, headers: officer, payload: {} });
      expect(again.statusCode).toBe(409);

      const noReason = await server.inject({ method: 'POST', url: `/v1/reports/${unknownId}/dismiss`, headers: officer, payload: { reason: ' ' } });
      expect(noReason.statusCode).toBe(400);
      const dismissed = await server.inject({ method: 'POST', url: `/v1/reports/${unknownId}/dismiss`, headers: officer, payload: { reason: 'no account matches; the pupil never signed up' } });
      expect(dismissed.statusCode, dismissed.body).toBe(200);
      expect(dismissed.json()).toMatchObject({ status: 'dismissed', outcome: null });
      const missing = await server.inject({ method: 'POST', url: `/v1/reports/rep_${'A'.repeat(22)}/confirm`, headers: officer, payload: {} });
      expect(missing.statusCode).toBe(404);

      const notices = (await readOutbox(vow.vault)).filter((m) => m.kind === 'child-report');
      expect(notices).toHaveLength(4);
      expect(notices.find((m) => m.to === 'parent@example.com' && m.subject.includes('acted on'))?.text).toContain(knownId);
      expect(notices.find((m) => m.to === 'teacher@example.com' && m.subject.includes('reviewed'))?.text).not.toContain('no account matches');
      const actions = await vow.store.db.selectFrom('audit_log').select('action').where('action', 'like', 'child-report.%').execute();
      expect(actions.map((row) => row.action).sort()).toEqual(['child-report.claimed', 'child-report.confirmed', 'child-report.dismissed', 'child-report.read', 'child-report.read', 'child-report.received', 'child-report.received']);
    } finally {
      await vow.close();
    }
  });

  it('opts subjects under 16 out of sale and sharing at sign-up; those from 13 may opt in, recorded with who and when', async () => {
    const vow = await createVow(database().config());
    try {
      const { server } = vow;
      const key = await issueApiKey(vow.store.db, { role: 'support', purposes: [], actor: 'test' });
      const teen = await signUp(vow, 'teen@example.com', yearsAgo(14));
      const adult = await signUp(vow, 'adult@example.com', yearsAgo(30));
      expect(await isSaleOptedOut(vow.store.db, teen)).toBe(true);
      expect(await isSaleOptedOut(vow.store.db, adult)).toBe(false);
      const reason = await vow.store.db.selectFrom('audit_log').select('data').where('action', '=', 'sale.opted-out').where('target', '=', `subject:${teen}`).executeTakeFirst();
      expect(JSON.parse(reason?.data ?? '{}')).toMatchObject({ reason: 'under-16' });

      const optIn = await server.inject({ method: 'POST', url: `/v1/subjects/${teen}/sale-opt-in`, headers: { authorization: `Bearer ${key.secret}` } });
      expect(optIn.statusCode, optIn.body).toBe(200);
      expect(optIn.json()).toMatchObject({ subjectId: teen, optedOut: false, by: `key:${key.id}` });
      expect(await isSaleOptedOut(vow.store.db, teen)).toBe(false);
      const recorded = await vow.store.db.selectFrom('audit_log').select(['actor', 'data']).where('action', '=', 'sale.opted-in').where('target', '=', `subject:${teen}`).executeTakeFirst();
      expect(recorded?.actor).toBe(`key:${key.id}`);
      expect(JSON.parse(recorded?.data ?? '{}')).toMatchObject({ reason: 'opt-in' });

      const anonymous = await server.inject({ method: 'POST', url: `/v1/subjects/${teen}/sale-opt-in` });
      expect(anonymous.statusCode).toBe(401);
      const unknown = await server.inject({ method: 'POST', url: `/v1/subjects/sub_${'B'.repeat(22)}/sale-opt-in`, headers: { authorization: `Bearer ${key.secret}` } });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json<ErrorJson>().error.code).toBe('not_found');

      // The age gate stays: under the minimum age nothing is stored at all.
      const tooYoung = await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'tiny@example.com', name: 'Tiny', birthDate: yearsAgo(10) } });
      expect(tooYoung.statusCode).toBe(403);
      expect(tooYoung.json<ErrorJson>().error.code).toBe('under_minimum_age');
    } finally {
      await vow.close();
    }
  });
});

describeEachDatabase('the age gate remembers a refusal', (database) => {
  it('refuses a second try from the same browser with another birth date, with a flag that says nothing of the child', async () => {
    const vow = await createVow(database().config());
    try {
      const signUpAs = (birthDate: string, cookie?: string) =>
        vow.server.inject({
          method: 'POST',
          url: '/v1/accounts',
          payload: { email: 'young.sam@example.com', name: 'Sam Young', birthDate },
          headers: cookie === undefined ? {} : { cookie },
        });

      const refused = await signUpAs(yearsAgo(11));
      expect(refused.statusCode).toBe(403);
      const flag = String(refused.headers['set-cookie']);
      // One constant value: no date, no id, no address; HttpOnly and scoped to the site, for the day the declaration gives it.
      expect(flag).toBe('vow_age_gate=refused; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax');

      const retried = await signUpAs(yearsAgo(30), 'vow_consent=x; vow_age_gate=refused');
      expect(retried.statusCode).toBe(403);
      expect(retried.json<ErrorJson>().error).toEqual(refused.json<ErrorJson>().error);
      for (const table of ['subjects', 'subject_identifiers', 'vault_records'] as const) {
        expect(await vow.store.db.selectFrom(table).selectAll().execute(), table).toEqual([]);
      }

      // Another browser, without the flag, is asked afresh.
      const adult = await signUpAs(yearsAgo(30));
      expect(adult.statusCode, adult.body).toBe(201);
      expect(adult.headers['set-cookie']).toBeUndefined();
    } finally {
      await vow.close();
    }
  });

  it('sets no flag the declaration does not list among its cookies', async () => {
    const vow = await createVow(database().config({ VOW_POLICY: withoutFlagCookie() }));
    try {
      const refused = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'kid@example.com', name: 'Kid', birthDate: yearsAgo(10) } });
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['set-cookie']).toBeUndefined();
    } finally {
      await vow.close();
    }
  });
});
