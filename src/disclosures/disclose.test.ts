import { expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import type { Store } from '../store/open-store.js';
import { createAccount } from '../vault/create-account.js';
import { openVault } from '../vault/open-vault.js';
import { recordCommunication } from '../vault/record-communication.js';
import type { VaultContext } from '../vault/vault-context.js';
import { disclose } from './disclose.js';
import { disclosuresOfSubject } from './disclosure.repository.js';
import { loadSigningKey, verifySignature } from './signing-key.js';

describeEachDatabase('disclosures', (database) => {
  const setUp = async (store: Store) => {
    const { declaration } = await loadDeclaration(examplePolicy);
    const vault: VaultContext = await openVault({ db: store.db, dataDir: database().dataDir, masterKeys: undefined, declaration });
    const signing = await loadSigningKey(store.db, vault.keyring);
    const hosting = declaration.recipients.find((recipient) => recipient.service === 'hosting');
    if (!hosting) throw new Error('the example declares a hosting provider');
    return { vault, signing, hosting: hosting.id };
  };

  it('packages the data, signs the manifest, and accounts for every subject', () =>
    withStore(database(), async (store) => {
      const { vault, signing, hosting } = await setUp(store);
      const ada = await createAccount(vault, { fields: { email: 'ada@example.com', name: 'Ada Lovelace', birthDate: '1990-12-10' }, actor: 'test' });
      const bob = await createAccount(vault, { fields: { email: 'bob@example.com', name: 'Bob Builder', birthDate: '1985-01-01' }, actor: 'test' });
      const writer = await recordCommunication(vault, { fields: { email: 'w@example.com', message: 'hi' }, source: 'api', actor: 'test' });

      const result = await disclose(vault, signing, { recipient: hosting, categories: ['account'], purpose: 'provide-services', subjects: { holding: true }, actor: 'key:test' });
      expect(result.manifest).toMatchObject({ recipient: hosting, purpose: 'provide-services', categories: ['account'], country: 'US', kind: 'disclosure' });
      expect(result.lines).toHaveLength(2);
      expect(result.lines.map((line) => JSON.parse(line) as { subjectId: string }).map((line) => line.subjectId).sort()).toEqual([ada.subjectId, bob.subjectId].sort());
      expect(result.lines.join('\n')).toContain('Ada Lovelace');
      for (const [index, line] of result.lines.entries()) expect(result.manifest.lines[index]?.sha256).toBe(sha256Hex(line));
      const canonical = Buffer.from(canonicalJson(result.manifest));
      expect(verifySignature(signing.publicKeyPem, canonical, result.signature)).toBe(true);
      expect(verifySignature(signing.publicKeyPem, Buffer.from(canonicalJson({ ...result.manifest, purpose: 'research' })), result.signature)).toBe(false);

      const accounting = await disclosuresOfSubject(store.db, ada.subjectId);
      expect(accounting).toEqual([expect.objectContaining({ recipient: hosting, purpose: 'provide-services', categories: ['account'], subjectCount: 2 })]);
      expect(await disclosuresOfSubject(store.db, writer.subjectId)).toEqual([]);
      expect(await verifyAudit(store.db)).toMatchObject({ ok: true });
    }));

  it('refuses a disclosure the declaration does not allow, audits the refusal, and records nothing', () =>
    withStore(database(), async (store) => {
      const { vault, signing, hosting } = await setUp(store);
      const ada = await createAccount(vault, { fields: { email: 'ada@example.com', name: 'Ada', birthDate: '1990-12-10' }, actor: 'test' });
      await expect(
        disclose(vault, signing, { recipient: hosting, categories: ['account'], purpose: 'provide-services', country: 'CN', subjects: { ids: [ada.subjectId] }, actor: 'key:test' }),
      ).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('rule: recipient-country') as unknown });
      await expect(
        disclose(vault, signing, { recipient: 'data-broker', categories: ['account'], purpose: 'provide-services', subjects: { ids: [ada.subjectId] }, actor: 'key:test' }),
      ).rejects.toMatchObject({ message: expect.stringContaining('rule: recipient-declared') as unknown });
      expect(await store.db.selectFrom('disclosures').selectAll().execute()).toEqual([]);
      const refusals = await store.db.selectFrom('audit_log').select(['action', 'data']).where('action', '=', 'disclosure.refused').execute();
      expect(refusals).toHaveLength(2);
    }));
});
