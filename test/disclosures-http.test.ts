import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { exportSubject } from '../src/export/export-subject.js';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createVow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { runCli } from '../src/cli/run-cli.js';
import { canonicalJson } from '../src/canonical-json.js';
import { verifySignature } from '../src/disclosures/signing-key.js';
import { describeEachDatabase } from './support/databases.js';

interface ErrorJson {
  error: { code: string; message: string };
}

describeEachDatabase('disclosures over HTTP and the CLI', (database) => {
  it('discloses to a declared recipient, refuses an undeclared one, and tells a subject who received what', async () => {
    const vow = await createVow(database().config());
    try {
      const { server } = vow;
      const officer = (await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret;
      const support = (await issueApiKey(vow.store.db, { role: 'support', purposes: ['communicate'], actor: 'test' })).secret;
      const signUp = await server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'dee@example.com', name: 'Dee Closure', birthDate: '1990-01-01' } });
      const { id } = signUp.json<{ id: string }>();
      const hosting = vow.vault.declaration.recipients.find((r) => r.service === 'hosting')?.id ?? '';

      const made = await server.inject({
        method: 'POST',
        url: '/v1/disclosures',
        headers: { authorization: `Bearer ${officer}` },
        payload: { recipient: hosting, categories: ['account'], purpose: 'provide-services', subjects: { ids: [id] } },
      });
      expect(made.statusCode, made.body).toBe(201);
      const pkg = made.json<{ manifest: Record<string, unknown>; signature: string; lines: string[] }>();
      const key = await server.inject({ method: 'GET', url: '/.well-known/vow-signing-key.pem' });
      expect(verifySignature(key.body, Buffer.from(canonicalJson(pkg.manifest)), pkg.signature)).toBe(true);

      const refused = await server.inject({
        method: 'POST',
        url: '/v1/disclosures',
        headers: { authorization: `Bearer ${officer}` },
        payload: { recipient: 'data-broker', categories: ['account'], purpose: 'provide-services', subjects: { ids: [id] } },
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json<ErrorJson>().error.message).toContain('rule: recipient-declared');
      const notAllowed = await server.inject({
        method: 'POST',
        url: '/v1/disclosures',
        headers: { authorization: `Bearer ${support}` },
        payload: { recipient: hosting, categories: ['account'], purpose: 'provide-services', subjects: { ids: [id] } },
      });
      expect(notAllowed.statusCode).toBe(403);

      const authorities = vow.vault.declaration.recipients.find((r) => r.kind === 'legal-authority')?.id ?? '';
      const legal = { recipient: authorities, categories: ['account'], purpose: 'legal-compliance', subjects: { ids: [id] }, kind: 'legal-request', legalGround: 'legal-obligation' };
      const missingDetails = await server.inject({ method: 'POST', url: '/v1/disclosures', headers: { authorization: `Bearer ${officer}` }, payload: legal });
      expect(missingDetails.statusCode).toBe(400);
      expect(missingDetails.body).toContain('body.details.authority');
      const details = { authority: 'District Court of Exampleton', process: 'court order', reference: 'CV-2026-0042', scope: 'account data of one subject', receivedOn: '2026-11-20' };
      const answered = await server.inject({ method: 'POST', url: '/v1/disclosures', headers: { authorization: `Bearer ${officer}` }, payload: { ...legal, details } });
      expect(answered.statusCode, answered.body).toBe(201);

      // A legal request names its ground, (i)–(v); one under a gag order reaches the subject's export only once it ends.
      const noGround = await server.inject({ method: 'POST', url: '/v1/disclosures', headers: { authorization: `Bearer ${officer}` }, payload: { ...legal, legalGround: undefined, details } });
      expect(noGround.json<{ error: { problems: { path: string }[] } }>().error.problems.map((problem) => problem.path)).toEqual(['legalGround']);
      const silenced = await server.inject({
        method: 'POST',
        url: '/v1/disclosures',
        headers: { authorization: `Bearer ${officer}` },
        payload: { ...legal, legalGround: 'urgent-safety', silentUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(), details },
      });
      expect(silenced.statusCode, silenced.body).toBe(201);
      const summary = (await exportSubject(vow.vault, { subjectId: id, actor: 'test' })).summary;
      expect(summary).toContain('(in answer to a legal request, (i) to comply with a legal obligation');
      expect(summary).not.toContain('(iv)');
      const later = (await exportSubject(vow.vault, { subjectId: id, actor: 'test', now: new Date(Date.now() + 31 * 86_400_000) })).summary;
      expect(later).toContain('(iv) to act in urgent circumstances');

      const accounting = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/disclosures`, headers: { authorization: `Bearer ${support}` } });
      expect(accounting.json()).toMatchObject({
        subjectId: id,
        disclosures: [
          { recipient: hosting, purpose: 'provide-services', categories: ['account'], country: 'US', kind: 'disclosure' },
          { recipient: authorities, purpose: 'legal-compliance', kind: 'legal-request', legalGround: 'legal-obligation', silentUntil: null },
          { recipient: authorities, purpose: 'legal-compliance', kind: 'legal-request', legalGround: 'urgent-safety' },
        ],
      });

      const ropa = await server.inject({ method: 'GET', url: '/v1/ropa?format=csv', headers: { authorization: `Bearer ${officer}` } });
      expect(ropa.headers['content-type']).toContain('text/csv');
      expect(ropa.body).toContain('legal_basis');
    } finally {
      await vow.close();
    }
  });

  it('carries events in the package when technical information is disclosed', async () => {
    const vow = await createVow(database().config());
    try {
      const { server } = vow;
      const admin = (await issueApiKey(vow.store.db, { role: 'admin', purposes: [], actor: 'test' })).secret;
      const banner = (await server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<{ policyVersion: number; bannerHash: string }>();
      const consent = await server.inject({
        method: 'POST',
        url: '/v1/consent',
        payload: { granted: ['analytics'], refused: ['advertising'], source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash },
      });
      const { visitorId, subjectId } = consent.json<{ visitorId: string; subjectId: string }>();
      await server.inject({ method: 'POST', url: '/v1/events', payload: { visitorId, events: [{ category: 'usage-data', name: 'page_view', path: '/robots' }, { category: 'usage-data', name: 'page_view', path: '/arms' }] } });

      const disclosed = await server.inject({
        method: 'POST',
        url: '/v1/disclosures',
        headers: { authorization: `Bearer ${admin}` },
        payload: { recipient: 'web-analytics', categories: ['usage-data'], purpose: 'develop-services', subjects: { holding: true } },
      });
      expect(disclosed.statusCode, disclosed.body).toBe(201);
      const { lines } = disclosed.json<{ lines: string[] }>();
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0] ?? '{}') as { subjectId: string; categories: Record<string, { fields: { name: string; path?: string } }[]> };
      expect(line.subjectId).toBe(subjectId);
      expect(line.categories['usage-data']?.map((event) => [event.fields.name, event.fields.path])).toEqual([
        ['page_view', '/robots'],
        ['page_view', '/arms'],
      ]);
    } finally {
      await vow.close();
    }
  });

  it('exports everything for a business transfer, owner-only, recorded as a disclosure of every subject', async () => {
    const vow = await createVow(database().config());
    await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'a1@example.com', name: 'A One', birthDate: '1990-01-01' } });
    await vow.server.inject({ method: 'POST', url: '/v1/communications', payload: { email: 'c1@example.com', message: 'hello' } });
    await vow.close();
    const out = join(database().dataDir, 'transfer');
    // Left behind by an earlier run with wider modes: the export must tighten them, not inherit them.
    mkdirSync(out, { mode: 0o755 });
    writeFileSync(join(out, '1-provide-services.jsonl'), 'stale\n', { mode: 0o644 });
    const lines: string[] = [];
    const code = await runCli(['transfer-business', '--to', 'acquirer', '--out', out], database().config(), { out: (t) => lines.push(t), err: (t) => lines.push(t) });
    expect(code, lines.join('\n')).toBe(0);
    expect(lines.join('\n')).toMatch(/dis_\S+: 2 subjects/);
    const files = readdirSync(out).sort();
    expect(files).toEqual(['1-provide-services.jsonl', '1-provide-services.manifest.json', 'signing-key.pem']);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(statSync(join(out, files[0] ?? '')).mode & 0o777).toBe(0o600);
    const manifest = JSON.parse(readFileSync(join(out, '1-provide-services.manifest.json'), 'utf8')) as { kind: string; lines: unknown[] };
    expect(manifest).toMatchObject({ kind: 'business-transfer', lines: [expect.anything(), expect.anything()] });
    const refused = await runCli(['transfer-business', '--to', 'hosting', '--out', out], database().config(), { out: () => undefined, err: (t) => lines.push(t) });
    expect(refused).toBe(1);
    const ropa: string[] = [];
    expect(await runCli(['ropa', '--format', 'md'], database().config(), { out: (t) => ropa.push(t), err: (t) => ropa.push(t) })).toBe(0);
    expect(ropa.join('\n')).toContain('# Records of processing activities');
  });
});
