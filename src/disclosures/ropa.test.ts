import { parse as parseCsv } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { createAccount } from '../vault/create-account.js';
import { openVault } from '../vault/open-vault.js';
import { renderRopa } from './render-ropa.js';
import { buildRopa } from './ropa.js';
import { countRecordsByCategory } from './ropa.repository.js';

describeEachDatabase('records of processing activities (GDPR article 30)', (database) => {
  it('lists every purpose with its legal basis, data, subjects, recipients, transfers, retention and security measures', () =>
    withStore(database(), async (store) => {
      const { declaration } = await loadDeclaration(examplePolicy);
      const vault = await openVault({ db: store.db, dataDir: database().dataDir, masterKeys: undefined, declaration });
      const { subjectId } = await createAccount(vault, { fields: { email: 'ropa@example.com', name: 'Ropa Person', birthDate: '1980-01-01' }, actor: 'test' });
      // Usage data as the collector stores it: one row of a request's five page views, and one row of one.
      const at = '2026-11-28T10:00:00.000Z';
      const row = { subject_id: subjectId, category: 'usage-data', name: 'page_view', occurred_at: at, received_at: at, country: null, data: '{}' };
      await store.db.insertInto('events').values([{ ...row, id: 'evt_a', event_count: 5 }, { ...row, id: 'evt_b', event_count: 1 }]).execute();
      const ropa = buildRopa(declaration, { policyVersion: 1, now: new Date('2026-11-29T00:00:00Z'), recordCounts: await countRecordsByCategory(store.db) });

      expect(ropa.controller).toEqual({ name: 'AIRobotics Group', contactEmail: 'jade.cong@qq.com' });
      expect(ropa.activities.map((a) => a.purpose)).toEqual(declaration.purposes.map((p) => p.id));
      const communicate = ropa.activities.find((a) => a.purpose === 'communicate');
      expect(communicate).toMatchObject({ legalBasis: 'legitimate-interests', transfers: [{ to: 'US', safeguard: 'standard-contractual-clauses' }] });
      expect(communicate?.dataSubjects).toEqual(expect.arrayContaining(['account holders', 'people who contact us']));
      expect(communicate?.dataCategories.find((c) => c.id === 'account')).toMatchObject({ retention: 'P1Y', retentionFrom: 'account-closure', records: 1 });
      const usage = ropa.activities.flatMap((a) => a.dataCategories).find((c) => c.id === 'usage-data');
      expect(usage).toMatchObject({ records: 6 });
      expect(ropa.securityMeasures.length).toBeGreaterThan(0);

      const markdown = renderRopa(ropa, 'md');
      expect(markdown).toContain('# Records of processing activities');
      expect(markdown).toContain('## communicate:');
      const rows = parseCsv<Record<string, string>>(renderRopa(ropa, 'csv'), { columns: true });
      expect(rows.length).toBe(ropa.activities.reduce((n, a) => n + a.dataCategories.length, 0));
      expect(rows[0]).toMatchObject({ controller: 'AIRobotics Group', purpose: 'provide-services' });
      expect(JSON.parse(renderRopa(ropa, 'json'))).toEqual(ropa);
      expect(renderRopa(ropa, 'md') + renderRopa(ropa, 'csv')).not.toContain('ropa@example.com');
    }));
});
