import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import type { Banner } from '../src/consent/banner.js';
import { readOutbox } from '../src/outbox/outbox.js';
import { checkDeclaration } from '../src/policy/check-declaration.js';
import type { Declaration } from '../src/policy/declaration.js';
import { publishPolicy } from '../src/policy/publish-policy.js';
import { recordContinuedUse } from '../src/policy-notices/accept-policy.js';
import { policyNoticeJob } from '../src/policy-notices/policy-notice-job.js';
import { sendPolicyNotices } from '../src/policy-notices/send-policy-notices.js';
import { subjectPolicyStatus, type SubjectPolicyStatus } from '../src/policy-notices/subject-policy-status.js';
import { updateAccount } from '../src/vault/update-account.js';
import { describeEachDatabase } from './support/databases.js';

async function signUp(vow: Vow, email: string): Promise<string> {
  const response = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email, name: 'Pat Reader', birthDate: '1985-06-01' } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}

/** The example with one more purpose, resting on consent, for the account category. */
function withNewsletter(declaration: Declaration): Declaration {
  return {
    ...declaration,
    purposes: [...declaration.purposes, { id: 'newsletter', description: 'Send you our newsletter', legalBasis: 'consent' }],
    categories: declaration.categories.map((category) => (category.kind === 'account' ? { ...category, purposes: [...category.purposes, 'newsletter'] } : category)),
  };
}

describeEachDatabase('policy-change notices and acceptance', (database) => {
  it('tells every account holder of a material version in batches, once, and records acceptance by continued use or explicitly', async () => {
    const vow = await createVow(database().config());
    try {
      const { server } = vow;
      const headers = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'support', purposes: [], actor: 'test' })).secret}` };
      const ann = await signUp(vow, 'ann@example.com');
      const bob = await signUp(vow, 'bob@example.com');
      const changed = { ...vow.vault.declaration, minimumAge: 14 };
      await new Promise((resolve) => setTimeout(resolve, 5));
      const published = await publishPolicy(vow.store.db, { declaration: changed, material: true, actor: 'cli' });
      // The server looks for a newer version every second; the test need not wait for it.
      await vow.policy.refresh();
      expect(published.version).toMatchObject({ number: 2, material: true });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const later = await signUp(vow, 'cal@example.com');

      // Publishing sends nothing inline: the job does.
      expect((await readOutbox(vow.vault)).filter((m) => m.kind === 'policy-change')).toEqual([]);
      const now = new Date();
      expect(await sendPolicyNotices(vow.vault, { now, batchSize: 1, maxBatches: 1 })).toEqual({ version: 2, notified: 1, withoutAddress: 0, more: true });
      const summary = await policyNoticeJob(vow.vault, { batchSize: 1 }).run(now);
      expect(summary).toBe('version 2: notified=1 without-address=0 more=false');
      expect(await sendPolicyNotices(vow.vault, { now })).toMatchObject({ notified: 0, more: false });
      const notices = (await readOutbox(vow.vault)).filter((m) => m.kind === 'policy-change');
      expect(notices.map((m) => m.to).sort()).toEqual(['ann@example.com', 'bob@example.com']);
      expect(notices[0]?.text).toContain('Version 2');
      expect(notices[0]?.text).toContain('keep using our services');
      expect(new Set(notices.map((m) => m.subjectId))).toEqual(new Set([ann, bob]));
      const stored = await vow.store.db.selectFrom('policy_notices').select(['subject_id', 'version']).execute();
      expect(stored.map((row) => row.subject_id).sort()).toEqual([ann, bob].sort());
      expect(stored.some((row) => row.subject_id === later)).toBe(false);

      const status = async (id: string) => {
        const response = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/policy`, headers });
        expect(response.statusCode, response.body).toBe(200);
        return response.json<SubjectPolicyStatus>();
      };
      expect((await status(ann)).versions).toEqual([expect.objectContaining({ version: 2, material: true, notifiedAt: now.toISOString(), accepted: null })]);

      const patched = await server.inject({ method: 'PATCH', url: `/v1/accounts/${ann}`, headers, payload: { name: 'Ann Reader' } });
      expect(patched.statusCode, patched.body).toBe(200);
      const annStatus = await status(ann);
      expect(annStatus.acceptanceRule).toBe('continued-use');
      expect(annStatus.versions[0]?.accepted).toMatchObject({ method: 'continued-use', notCovered: [] });

      const explicit = await server.inject({ method: 'POST', url: `/v1/subjects/${bob}/policy/accept`, headers, payload: { version: 2 } });
      expect(explicit.statusCode, explicit.body).toBe(200);
      expect(explicit.json()).toMatchObject({ subjectId: bob, version: 2, method: 'explicit' });
      expect((await status(bob)).versions[0]?.accepted).toMatchObject({ method: 'explicit' });
      const noVersion = await server.inject({ method: 'POST', url: `/v1/subjects/${bob}/policy/accept`, headers, payload: { version: 9 } });
      expect(noVersion.statusCode).toBe(404);
      const badBody = await server.inject({ method: 'POST', url: `/v1/subjects/${bob}/policy/accept`, headers, payload: { version: 'latest' } });
      expect(badBody.statusCode).toBe(400);
      expect((await server.inject({ method: 'GET', url: `/v1/subjects/${bob}/policy` })).statusCode).toBe(401);

      const accepted = await vow.store.db.selectFrom('audit_log').select(['target', 'data']).where('action', '=', 'policy.accepted').execute();
      expect(accepted.map((row) => [row.target, JSON.parse(row.data) as unknown])).toEqual([
        [`subject:${ann}`, { method: 'continued-use', version: 2 }],
        [`subject:${bob}`, { method: 'explicit', version: 2 }],
      ]);
    } finally {
      await vow.close();
    }
  });

  it('never takes continued use as consent: consent-based purposes are left out, asked again by the banner, and the check warns', async () => {
    const vow = await createVow(database().config());
    try {
      const declaration = withNewsletter(vow.vault.declaration);
      const ctx = { ...vow.vault, declaration };
      expect(checkDeclaration(declaration).warnings).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: ['changes', 'acceptance'], message: expect.stringContaining('continued use is not consent') as string })]),
      );
      expect(checkDeclaration(vow.vault.declaration).warnings.some((w) => w.path.join('.') === 'changes.acceptance')).toBe(false);
      expect(checkDeclaration({ ...declaration, changes: { ...declaration.changes, acceptance: 'explicit' } }).warnings.some((w) => w.path.join('.') === 'changes.acceptance')).toBe(false);

      const dee = await signUp(vow, 'dee@example.com');
      const before = (await vow.server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<Banner>();
      await publishPolicy(vow.store.db, { declaration, material: true, actor: 'cli', now: new Date(Date.now() + 1000) });
      // The server looks for a newer version every second; the test need not wait for it.
      await vow.policy.refresh();
      const after = (await vow.server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<Banner>();
      // The SDK drops a stored choice made under a version older than lastMaterialVersion: the banner asks again.
      expect(after.lastMaterialVersion).toBe(2);
      expect(before.lastMaterialVersion).toBeLessThan(after.lastMaterialVersion);

      const now = new Date(Date.now() + 2000);
      await sendPolicyNotices(ctx, { now });
      const [notice] = (await readOutbox(vow.vault)).filter((m) => m.kind === 'policy-change');
      expect(notice?.text).toContain('does not count as consent');

      await updateAccount(ctx, { subjectId: dee, fields: { name: 'Dee Reader' }, actor: 'public', now: new Date(now.getTime() + 1000) });
      const status = await subjectPolicyStatus(ctx, dee);
      const accepted = status.versions.find((version) => version.version === 2)?.accepted;
      expect(accepted?.method).toBe('continued-use');
      expect(accepted?.purposes).not.toContain('newsletter');
      expect(accepted?.notCovered).toEqual(['newsletter']);
      // Once accepted, acting again records nothing more.
      expect(await vow.store.db.transaction().execute((trx) => recordContinuedUse(ctx, trx, { subjectId: dee, actor: 'public', now: new Date(now.getTime() + 2000) }))).toEqual([]);
    } finally {
      await vow.close();
    }
  });
});

describeEachDatabase('explicit acceptance is enforced', (database) => {
  it('uses a holder’s data only as the version they accepted allows, until they accept the revision', async () => {
    const selfHosted = fileURLToPath(new URL('../examples/self-hosted/vow.policy.yaml', import.meta.url));
    const vow = await createVow(database().config({ VOW_POLICY: selfHosted }));
    try {
      const { server } = vow;
      const headers = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret}` };
      const signUpHere = async (email: string) => {
        const response = await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email, name: 'Kim Keeper' } });
        expect(response.statusCode, response.body).toBe(201);
        return response.json<{ id: string }>().id;
      };
      const early = await signUpHere('early@example.com');
      // Version 2 adds a purpose for account information.
      const v1 = vow.vault.declaration;
      const v2: Declaration = {
        ...v1,
        purposes: [...v1.purposes, { id: 'product-research', description: 'To research what our workshops should teach next', legalBasis: 'legitimate-interests' }],
        categories: v1.categories.map((category) => (category.kind === 'account' ? { ...category, purposes: [...category.purposes, 'product-research'] } : category)),
      };
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect((await publishPolicy(vow.store.db, { declaration: v2, material: true, actor: 'cli' })).version.number).toBe(2);
      await vow.policy.refresh();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const late = await signUpHere('late@example.com');
      const read = (id: string, purpose: string) => server.inject({ method: 'GET', url: `/v1/subjects/${id}/data?purpose=${purpose}`, headers });

      const refused = await read(early, 'product-research');
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('rule: accepted-version');
      // What version 1 allowed goes on, and someone who signed up under version 2 is under it.
      expect((await read(early, 'provide-services')).statusCode).toBe(200);
      expect((await read(late, 'product-research')).statusCode).toBe(200);

      const accepted = await server.inject({ method: 'POST', url: `/v1/subjects/${early}/policy/accept`, headers, payload: { version: 2 } });
      expect(accepted.statusCode, accepted.body).toBe(200);
      expect((await read(early, 'product-research')).statusCode).toBe(200);
    } finally {
      await vow.close();
    }
  });
});
