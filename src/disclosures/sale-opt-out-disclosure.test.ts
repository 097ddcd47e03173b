import { expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { setSaleOptOut } from '../requests/sale-opt-out.js';
import { createAccount } from '../vault/create-account.js';
import { openVault } from '../vault/open-vault.js';
import { disclose } from './disclose.js';
import { disclosuresOfSubject } from './disclosure.repository.js';
import { loadSigningKey } from './signing-key.js';

describeEachDatabase('disclosures that amount to a sale or sharing', (database) => {
  it('leave out subjects who opted out or are under 16, and refuse them when named', () =>
    withStore(database(), async (store) => {
      const { declaration: example } = await loadDeclaration(examplePolicy);
      // The example's affiliates receive accounts; here they are a sale, as a data broker would be.
      const declaration = {
        ...example,
        recipients: example.recipients.map((recipient) => (recipient.id === 'affiliates' ? { ...recipient, treatedAs: ['sale' as const] } : recipient)),
      };
      const vault = await openVault({ db: store.db, dataDir: database().dataDir, masterKeys: undefined, declaration });
      const signing = await loadSigningKey(store.db, vault.keyring);
      const now = new Date('2026-11-29T10:00:00Z');
      const adult = await createAccount(vault, { fields: { email: 'adult@example.com', name: 'A', birthDate: '1980-01-01' }, actor: 'test', now });
      const optedOut = await createAccount(vault, { fields: { email: 'out@example.com', name: 'O', birthDate: '1981-01-01' }, actor: 'test', now });
      const teen = await createAccount(vault, { fields: { email: 'teen@example.com', name: 'T', birthDate: '2012-01-01' }, actor: 'test', now });
      await setSaleOptOut(vault, store.db, { subjectId: optedOut.subjectId, optedOut: true, reason: 'request', actor: 'public', now });

      const sale = { recipient: 'affiliates', categories: ['account'], purpose: 'provide-services', actor: 'key:test', now };
      const result = await disclose(vault, signing, { ...sale, subjects: { holding: true } });
      expect(result.manifest.lines.map((line) => line.subjectId)).toEqual([adult.subjectId]);
      expect(await disclosuresOfSubject(store.db, optedOut.subjectId)).toEqual([]);
      expect(await disclosuresOfSubject(store.db, teen.subjectId)).toEqual([]);

      await expect(disclose(vault, signing, { ...sale, subjects: { ids: [adult.subjectId, teen.subjectId] } })).rejects.toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining('rule: sale-opt-out') as unknown,
      });

      // A service provider is not a sale: everyone's data reaches it.
      const hosting = await disclose(vault, signing, { ...sale, recipient: 'hosting', subjects: { holding: true } });
      expect(hosting.manifest.lines).toHaveLength(3);
    }));
});
