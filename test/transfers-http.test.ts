import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import type { Role } from '../src/auth/role.js';
import { describeEachDatabase, type TestDatabase } from './support/databases.js';
import { examplePolicy } from './support/fixtures.js';

interface TransfersJson {
  subjectId: string;
  region: string | null;
  transfers: { from: string; to: string; safeguard: string; basis: string; at: string }[];
}
interface ErrorJson {
  error: { code: string; message: string; problems?: { path: string }[] };
}

const COUNTRY_HEADER = 'cf-ipcountry';
const SCC = 'standard-contractual-clauses';

/** The example declaration with its one transfer (`from: '*'`) narrowed to data collected in France. */
function franceOnlyPolicy(database: TestDatabase): string {
  const file = join(database.dataDir, 'france-only.policy.yaml');
  const text = readFileSync(examplePolicy, 'utf8');
  if (!text.includes("  - from: '*'\n    to: US")) throw new Error('the example declares a transfer from anywhere to the US');
  writeFileSync(file, text.replace("  - from: '*'\n    to: US", '  - from: FR\n    to: US'));
  return file;
}

describeEachDatabase('international transfers (section 8)', (database) => {
  const start = (env: Record<string, string> = {}) => createVow(database().config({ VOW_COUNTRY_HEADER: COUNTRY_HEADER, ...env }));
  const keyFor = async (vow: Vow, role: Role) => (await issueApiKey(vow.store.db, { role, purposes: [], actor: 'test' })).secret;
  const signUp = async (vow: Vow, email: string, options: { country?: string; region?: string } = {}) => {
    const response = await vow.server.inject({
      method: 'POST',
      url: '/v1/accounts',
      headers: options.country ? { [COUNTRY_HEADER]: options.country } : {},
      payload: { email, name: 'Tess Transfer', birthDate: '1990-01-01', ...(options.region ? { region: options.region } : {}) },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  };
  const transfersOf = async (vow: Vow, key: string, id: string) => {
    const response = await vow.server.inject({ method: 'GET', url: `/v1/subjects/${id}/transfers`, headers: { authorization: `Bearer ${key}` } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<TransfersJson>();
  };

  it('records the region at collection, and one transfer per subject to where the Services run, not one per request', async () => {
    const vow = await start();
    try {
      const officer = await keyFor(vow, 'privacy-officer');
      const inFrance = await signUp(vow, 'fr@example.com', { country: 'FR' });
      const atHome = await signUp(vow, 'us@example.com', { country: 'US' });
      // An explicit region in the body wins over the proxy's header.
      const declared = await signUp(vow, 'de@example.com', { country: 'US', region: 'DE' });
      const unknown = await signUp(vow, 'nowhere@example.com');

      const french = await transfersOf(vow, officer, inFrance);
      expect(french).toMatchObject({ subjectId: inFrance, region: 'FR', transfers: [{ from: 'FR', to: 'US', safeguard: SCC, basis: 'collection' }] });
      expect(await transfersOf(vow, officer, atHome)).toMatchObject({ region: 'US', transfers: [] });
      expect(await transfersOf(vow, officer, declared)).toMatchObject({ region: 'DE', transfers: [{ from: 'DE', to: 'US', basis: 'collection' }] });
      // Wherever it is, under the declaration's default: recorded from '*' rather than not at all.
      expect(await transfersOf(vow, officer, unknown)).toMatchObject({ region: null, transfers: [{ from: '*', to: 'US', safeguard: SCC, basis: 'collection' }] });

      // A visitor's first consent decision creates its subject: its region and transfer are recorded then, once.
      const banner = (await vow.server.inject({ method: 'GET', url: '/v1/consent/banner' })).json<{ policyVersion: number; bannerHash: string }>();
      const decision = { granted: ['analytics'], refused: ['advertising'], source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash };
      const first = await vow.server.inject({ method: 'POST', url: '/v1/consent', headers: { [COUNTRY_HEADER]: 'IT' }, payload: decision });
      expect(first.statusCode, first.body).toBe(201);
      const visitor = first.json<{ visitorId: string; subjectId: string }>();
      const again = await vow.server.inject({ method: 'POST', url: '/v1/consent', headers: { [COUNTRY_HEADER]: 'IT' }, payload: { ...decision, visitorId: visitor.visitorId } });
      expect(again.statusCode, again.body).toBe(201);
      const italian = await transfersOf(vow, officer, visitor.subjectId);
      expect(italian).toMatchObject({ region: 'IT', transfers: [{ from: 'IT', to: 'US', safeguard: SCC, basis: 'collection' }] });
      expect(italian.transfers).toHaveLength(1);

      const badRegion = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: 'bad@example.com', name: 'B', birthDate: '1990-01-01', region: 'fr' } });
      expect(badRegion.statusCode).toBe(400);
      expect(badRegion.json<ErrorJson>().error.problems?.map((problem) => problem.path)).toEqual(['region']);
      expect(badRegion.body).not.toContain('bad@example.com');
    } finally {
      await vow.close();
    }
  });

  it('records a transfer for each disclosed subject collected outside the recipient’s country, and counts them per route in the records of processing', async () => {
    const vow = await start();
    try {
      const officer = await keyFor(vow, 'privacy-officer');
      const inFrance = await signUp(vow, 'fr2@example.com', { country: 'FR' });
      const atHome = await signUp(vow, 'us2@example.com', { country: 'US' });
      const hosting = vow.vault.declaration.recipients.find((r) => r.service === 'hosting')?.id ?? '';
      const made = await vow.server.inject({
        method: 'POST',
        url: '/v1/disclosures',
        headers: { authorization: `Bearer ${officer}` },
        payload: { recipient: hosting, categories: ['account'], purpose: 'provide-services', subjects: { ids: [inFrance, atHome] } },
      });
      expect(made.statusCode, made.body).toBe(201);
      const disclosureId = made.json<{ manifest: { disclosureId: string } }>().manifest.disclosureId;

      const french = await transfersOf(vow, officer, inFrance);
      expect(french.transfers.map((t) => t.basis).sort()).toEqual(['collection', disclosureId].sort());
      expect(french.transfers.find((t) => t.basis === disclosureId)).toMatchObject({ from: 'FR', to: 'US', safeguard: SCC });
      expect((await transfersOf(vow, officer, atHome)).transfers).toEqual([]);

      const ropa = await vow.server.inject({ method: 'GET', url: '/v1/ropa', headers: { authorization: `Bearer ${officer}` } });
      const json = ropa.json<{ transfersRecorded: unknown[]; activities: { purpose: string; transfers: { from: string; recorded: number }[] }[] }>();
      expect(json.transfersRecorded).toEqual([{ from: 'FR', to: 'US', safeguard: SCC, atCollection: 1, inDisclosures: 1, subjects: 1 }]);
      expect(json.activities.find((a) => a.purpose === 'provide-services')?.transfers).toEqual([{ from: '*', to: 'US', safeguard: SCC, recorded: 2 }]);
      const markdown = await vow.server.inject({ method: 'GET', url: '/v1/ropa?format=md', headers: { authorization: `Bearer ${officer}` } });
      expect(markdown.body).toContain('| FR | US | standard-contractual-clauses | 1 | 1 | 1 |');

      const support = await keyFor(vow, 'support');
      const forbidden = await vow.server.inject({ method: 'GET', url: `/v1/subjects/${inFrance}/transfers`, headers: { authorization: `Bearer ${support}` } });
      expect(forbidden.statusCode).toBe(403);
      const missing = await vow.server.inject({ method: 'GET', url: `/v1/subjects/sub_${'0'.repeat(22)}/transfers`, headers: { authorization: `Bearer ${officer}` } });
      expect(missing.statusCode).toBe(404);
    } finally {
      await vow.close();
    }
  });

  it('refuses a disclosure carrying a subject’s data on a route no declared transfer covers, and records nothing', async () => {
    const vow = await start({ VOW_POLICY: franceOnlyPolicy(database()) });
    try {
      const officer = await keyFor(vow, 'privacy-officer');
      const inFrance = await signUp(vow, 'fr3@example.com', { country: 'FR' });
      const inJapan = await signUp(vow, 'jp3@example.com', { country: 'JP' });
      expect((await transfersOf(vow, officer, inJapan)).transfers).toEqual([]);
      const hosting = vow.vault.declaration.recipients.find((r) => r.service === 'hosting')?.id ?? '';
      const payload = { recipient: hosting, categories: ['account'], purpose: 'provide-services', subjects: { ids: [inFrance, inJapan] } };
      const refused = await vow.server.inject({ method: 'POST', url: '/v1/disclosures', headers: { authorization: `Bearer ${officer}` }, payload });
      expect(refused.statusCode).toBe(403);
      expect(refused.json<ErrorJson>().error.message).toBe('no international transfer from JP to US is declared (subjects: 1 collected in JP) (rule: transfer-declared)');
      expect(await vow.store.db.selectFrom('disclosures').select('id').execute()).toEqual([]);
      expect((await transfersOf(vow, officer, inFrance)).transfers.map((t) => t.basis)).toEqual(['collection']);
      const audited = await vow.store.db.selectFrom('audit_log').select('data').where('action', '=', 'disclosure.refused').execute();
      expect(audited.map((row) => JSON.parse(row.data) as { rule: string })).toEqual([expect.objectContaining({ rule: 'transfer-declared' })]);

      const allowed = await vow.server.inject({ method: 'POST', url: '/v1/disclosures', headers: { authorization: `Bearer ${officer}` }, payload: { ...payload, subjects: { ids: [inFrance] } } });
      expect(allowed.statusCode, allowed.body).toBe(201);
    } finally {
      await vow.close();
    }
  });
});
