import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import type { Role } from '../src/auth/role.js';
import { describeEachDatabase } from './support/databases.js';

interface VisibilityJson {
  subjectId: string;
  fields: string[];
  isDefault: boolean;
  choices: string[];
  updatedAt: string | null;
}
interface PublicJson {
  subjectId: string;
  fields: Record<string, string>;
  disclosureId: string | null;
}
interface ErrorJson {
  error: { code: string; message: string; problems?: { path: string }[] };
}

describeEachDatabase('other users see only what a subject’s visibility setting shows (section 3)', (database) => {
  const keyFor = async (vow: Vow, role: Role) => (await issueApiKey(vow.store.db, { role, purposes: [], actor: 'test' })).secret;

  it('shows the declared default, then the subject’s own choice, each showing accounted for as a disclosure to other users', async () => {
    const vow = await createVow(database().config({ VOW_COUNTRY_HEADER: 'cf-ipcountry' }));
    try {
      const { server } = vow;
      const support = await keyFor(vow, 'support');
      const auditor = await keyFor(vow, 'auditor');
      const auth = { authorization: `Bearer ${support}` };
      const signUp = await server.inject({
        method: 'POST',
        url: '/v1/accounts',
        headers: { 'cf-ipcountry': 'FR' },
        payload: { email: 'vera@example.com', name: 'Vera Visible', birthDate: '1991-02-03' },
      });
      const { id } = signUp.json<{ id: string }>();

      const initial = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/visibility`, headers: auth });
      expect(initial.statusCode, initial.body).toBe(200);
      expect(initial.json<VisibilityJson>()).toMatchObject({ subjectId: id, fields: ['account.name'], isDefault: true, updatedAt: null });
      expect(initial.json<VisibilityJson>().choices).toEqual(expect.arrayContaining(['account.email', 'account.name', 'account.birthDate']));

      const byDefault = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/public`, headers: auth });
      expect(byDefault.statusCode, byDefault.body).toBe(200);
      const shown = byDefault.json<PublicJson>();
      expect(shown.fields).toEqual({ 'account.name': 'Vera Visible' });
      expect(byDefault.body).not.toContain('vera@example.com');

      const accounting = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/disclosures`, headers: auth });
      expect(accounting.json()).toMatchObject({ disclosures: [{ id: shown.disclosureId, recipient: 'other-users', purpose: 'provide-services', categories: ['account'], country: 'US' }] });
      const officer = await keyFor(vow, 'privacy-officer');
      const transfers = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/transfers`, headers: { authorization: `Bearer ${officer}` } });
      expect(transfers.json<{ transfers: { basis: string; from: string; to: string }[] }>().transfers).toContainEqual(
        expect.objectContaining({ basis: shown.disclosureId, from: 'FR', to: 'US' }),
      );

      const chosen = await server.inject({ method: 'PUT', url: `/v1/subjects/${id}/visibility`, headers: auth, payload: { fields: ['account.email'] } });
      expect(chosen.statusCode, chosen.body).toBe(200);
      expect(chosen.json<VisibilityJson>()).toMatchObject({ fields: ['account.email'], isDefault: false });
      const afterChoice = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/public`, headers: auth });
      expect(afterChoice.json<PublicJson>().fields).toEqual({ 'account.email': 'vera@example.com' });

      const hidden = await server.inject({ method: 'PUT', url: `/v1/subjects/${id}/visibility`, headers: auth, payload: { fields: [] } });
      expect(hidden.statusCode).toBe(200);
      const nothing = await server.inject({ method: 'GET', url: `/v1/subjects/${id}/public`, headers: auth });
      expect(nothing.json<PublicJson>()).toEqual({ subjectId: id, fields: {}, disclosureId: null });
      const disclosures = await vow.store.db.selectFrom('disclosures').select(['details']).execute();
      expect(disclosures).toHaveLength(2);

      const undeclared = await server.inject({ method: 'PUT', url: `/v1/subjects/${id}/visibility`, headers: auth, payload: { fields: ['account.name', 'usage-data.country', 'account.nope'] } });
      expect(undeclared.statusCode).toBe(400);
      expect(undeclared.json<ErrorJson>().error.problems?.map((problem) => problem.path)).toEqual(['fields[1]', 'fields[2]']);
      const notAllowed = await server.inject({ method: 'PUT', url: `/v1/subjects/${id}/visibility`, headers: { authorization: `Bearer ${auditor}` }, payload: { fields: [] } });
      expect(notAllowed.statusCode).toBe(403);
      const missing = await server.inject({ method: 'GET', url: `/v1/subjects/sub_${'0'.repeat(22)}/public`, headers: auth });
      expect(missing.statusCode).toBe(404);

      // The setting and the accounting hold field names; the values stay sealed in the vault.
      const settings = await vow.store.db.selectFrom('subject_visibility').selectAll().execute();
      const audit = await vow.store.db.selectFrom('audit_log').select('data').execute();
      const stored = JSON.stringify([settings, disclosures, audit]);
      expect(stored).toContain('account.email');
      expect(stored).not.toContain('Vera');
      expect(stored).not.toContain('vera@example.com');
    } finally {
      await vow.close();
    }
  });
});
