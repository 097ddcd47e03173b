import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeEachDatabase, withStore, type TestDatabase } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { keyBesideDatabase } from '../cli/serve.command.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import type { Store } from '../store/open-store.js';
import { createAccount } from './create-account.js';
import { KEY_FILE } from './keyring.js';
import { listChoices } from './list-choices.js';
import { openVault } from './open-vault.js';
import { readSubjectData } from './read-subject-data.js';
import { recordCommunication } from './record-communication.js';
import { rotateMasterKey } from './rotate-master-key.js';
import { updateAccount } from './update-account.js';
import type { VaultContext } from './vault-context.js';

const jane = { email: 'jane.doe.vault@example.com', name: 'Jane Quintessa Doe', birthDate: '1990-04-01' };
const message = 'Please call me about the Zanzibar robotics order';

async function vaultOf(database: TestDatabase, store: Store): Promise<VaultContext> {
  const { declaration } = await loadDeclaration(examplePolicy);
  return openVault({ db: store.db, dataDir: database.dataDir, masterKeys: undefined, declaration });
}

const read = (vault: VaultContext, subjectId: string, purpose: string, readerMayUsePurpose = true) =>
  readSubjectData(vault, { subjectId, purpose, actor: 'key:test', readerMayUsePurpose });

describeEachDatabase('the personal data vault', (database) => {
  const withVault = (test: (vault: VaultContext, store: Store) => Promise<void>) =>
    withStore(database(), async (store) => test(await vaultOf(database(), store), store));

  it('opens an account under a pseudonymous id and reads it back for a declared purpose', () =>
    withVault(async (vault) => {
      const { subjectId } = await createAccount(vault, { fields: jane, actor: 'public' });
      expect(subjectId).toMatch(/^sub_[A-Za-z0-9_-]{22}$/);
      const data = await read(vault, subjectId, 'communicate');
      expect(data.categories).toEqual([{ category: 'account', records: [expect.objectContaining({ fields: jane, source: 'api' })] }]);
    }));

  it('returns only the categories whose declared purposes include the one named', () =>
    withVault(async (vault) => {
      const { subjectId } = await createAccount(vault, { fields: jane, actor: 'public' });
      const writer = await recordCommunication(vault, { fields: { email: 'writer@example.com', name: 'Wren Writer', message }, source: 'contact-form', actor: 'public' });
      // Both categories allow "communicate"; only the account allows "develop-services".
      expect((await read(vault, subjectId, 'communicate')).categories.map((c) => c.category)).toEqual(['account']);
      expect((await read(vault, writer.subjectId, 'communicate')).categories.map((c) => c.category)).toEqual(['communication']);
      expect((await read(vault, subjectId, 'develop-services')).categories.map((c) => c.category)).toEqual(['account']);
      expect((await read(vault, writer.subjectId, 'develop-services')).categories).toEqual([]);
      // "research" is declared, yet neither category allows it.
      expect((await read(vault, subjectId, 'research')).categories).toEqual([]);
    }));

  it('denies a read for an undeclared purpose or one the reader was not granted, and audits both', () =>
    withVault(async (vault, store) => {
      const { subjectId } = await createAccount(vault, { fields: jane, actor: 'public' });
      await expect(read(vault, subjectId, 'marketing')).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('rule: purpose-declared') as unknown });
      await expect(read(vault, subjectId, 'communicate', false)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('rule: key-purpose') as unknown });
      await read(vault, subjectId, 'communicate');
      const actions = await store.db.selectFrom('audit_log').select(['action', 'target', 'data']).orderBy('seq').execute();
      expect(actions.map((a) => a.action)).toEqual(['account.created', 'subject.read-denied', 'subject.read-denied', 'subject.read']);
      expect(actions.every((a) => a.target === `subject:${subjectId}`)).toBe(true);
      expect(await verifyAudit(store.db)).toMatchObject({ ok: true, count: 4 });
    }));

  it('refuses a birth date under the minimum age and stores nothing about that person anywhere', () =>
    withVault(async (vault, store) => {
      const child = { email: 'little.timmy@example.com', name: 'Timmy Littlechild', birthDate: new Date(Date.now() - 10 * 365.25 * 86_400_000).toISOString().slice(0, 10) };
      await expect(createAccount(vault, { fields: child, actor: 'public' })).rejects.toMatchObject({
        code: 'under_minimum_age',
        message: 'AIRobotics does not collect personal information from children under 13; nothing was stored',
      });
      for (const table of ['subjects', 'subject_keys', 'subject_identifiers', 'vault_records', 'audit_log'] as const) {
        expect(await store.db.selectFrom(table).selectAll().execute(), table).toEqual([]);
      }
    }));

  it('refuses undeclared fields by name, and bad values without echoing them', () =>
    withVault(async (vault) => {
      await expect(createAccount(vault, { fields: { ...jane, shoeSize: '42' }, actor: 'public' })).rejects.toMatchObject({
        code: 'bad_request',
        problems: [{ path: 'shoeSize', message: expect.stringContaining('is not a declared field of category "account"') as unknown }],
      });
      const bad = createAccount(vault, { fields: { ...jane, email: 'jane@@nowhere' }, actor: 'public' });
      await expect(bad).rejects.toMatchObject({ problems: [{ path: 'email', message: 'must be an e-mail address' }] });
      await expect(bad).rejects.not.toMatchObject({ message: expect.stringContaining('jane@@nowhere') as unknown });
      await expect(createAccount(vault, { fields: { name: 'x' }, actor: 'public' })).rejects.toMatchObject({
        problems: expect.arrayContaining([{ path: 'email', message: 'is required' }, { path: 'birthDate', message: 'is required' }]) as unknown,
      });
    }));

  it('finds subjects by e-mail through the blind index: one account per address; messages never join an account on their word', () =>
    withVault(async (vault, store) => {
      const { subjectId } = await createAccount(vault, { fields: jane, actor: 'public' });
      // A second sign-up answers like a first (an id leading nowhere), keeps nothing, and mails the owner.
      const twice = await createAccount(vault, { fields: { ...jane, email: jane.email.toUpperCase(), name: 'Impostor' }, actor: 'public' });
      expect(twice.subjectId).not.toBe(subjectId);
      expect(await store.db.selectFrom('subjects').select('id').where('id', '=', twice.subjectId).executeTakeFirst()).toBeUndefined();
      expect(await store.db.selectFrom('vault_records').select('id').where('category', '=', 'account').execute()).toHaveLength(1);
      expect(await store.db.selectFrom('outbox_messages').select('subject_id').execute()).toEqual([{ subject_id: subjectId }]);

      const first = await recordCommunication(vault, { fields: { email: ` ${jane.email.toUpperCase()} `, name: jane.name, message }, source: 'api', actor: 'public' });
      expect(first.subjectId).not.toBe(subjectId);
      const second = await recordCommunication(vault, { fields: { email: jane.email, message: 'again' }, source: 'api', actor: 'public' });
      expect(second.subjectId).toBe(first.subjectId);
      const stranger = await recordCommunication(vault, { fields: { email: 'someone.else@example.com', message: 'hello' }, source: 'api', actor: 'public' });
      expect(stranger.subjectId).not.toBe(first.subjectId);
    }));

  it('corrects account fields and moves the e-mail blind index', () =>
    withVault(async (vault) => {
      const { subjectId } = await createAccount(vault, { fields: jane, actor: 'public' });
      await updateAccount(vault, { subjectId, fields: { name: 'Jane Q. Smith', email: 'jane.smith@example.com' }, actor: 'key:test' });
      const [account] = (await read(vault, subjectId, 'communicate')).categories;
      expect(account?.records[0]?.fields).toEqual({ ...jane, name: 'Jane Q. Smith', email: 'jane.smith@example.com' });
      const again = await createAccount(vault, { fields: jane, actor: 'public' });
      expect(again.subjectId).not.toBe(subjectId);
      await expect(updateAccount(vault, { subjectId: 'sub_AAAAAAAAAAAAAAAAAAAAAA', fields: { name: 'x' }, actor: 'key:test' })).rejects.toMatchObject({ code: 'not_found' });
    }));

  it('binds each ciphertext to its record and field: swapped values do not decrypt', () =>
    withVault(async (vault, store) => {
      const { subjectId } = await createAccount(vault, { fields: jane, actor: 'public' });
      const row = await store.db.selectFrom('vault_records').select(['id', 'data']).executeTakeFirstOrThrow();
      const sealed = JSON.parse(row.data) as Record<string, string>;
      await store.db
        .updateTable('vault_records')
        .set({ data: JSON.stringify({ ...sealed, name: sealed.email, email: sealed.name }) })
        .where('id', '=', row.id)
        .execute();
      await expect(read(vault, subjectId, 'communicate')).rejects.toThrow();
    }));

  it('lists the features a subject cannot use for want of the data they need', () =>
    withVault(async (vault) => {
      const { subjectId } = await recordCommunication(vault, { fields: { email: 'writer@example.com', message: 'hi' }, source: 'contact-form', actor: 'public' });
      const choices = await listChoices(vault, subjectId);
      expect(choices.available.map((c) => c.feature)).toEqual(['contact-form']);
      expect(choices.unavailable).toEqual(
        expect.arrayContaining([{ feature: 'account-dashboard', name: 'Account dashboard', missing: ['account'] }, expect.objectContaining({ feature: 'personalised-content', missing: ['usage-data'] })]),
      );
    }));

  it('never writes personal data in plaintext: a scan of the raw database finds none', () =>
    withVault(async (vault, store) => {
      const { subjectId } = await createAccount(vault, { fields: jane, actor: 'public' });
      await recordCommunication(vault, { fields: { email: jane.email, name: jane.name, message }, source: 'contact-form', actor: 'public' });
      await read(vault, subjectId, 'communicate');
      const needles = [jane.email, jane.name, message, 'Zanzibar', 'Quintessa'];
      let raw: Buffer;
      if (database().dialect === 'sqlite') {
        const file = join(database().dataDir, 'vow.db');
        raw = Buffer.concat([file, `${file}-wal`].filter((path) => existsSync(path)).map((path) => readFileSync(path)));
        expect(raw.length).toBeGreaterThan(0);
        await store.close();
        raw = Buffer.concat([raw, readFileSync(file)]);
      } else {
        raw = execFileSync('pg_dump', ['--no-owner', database().url ?? ''], { maxBuffer: 64 * 1024 * 1024 });
        expect(raw.toString()).toContain('vault_records');
      }
      for (const needle of needles) expect(raw.includes(Buffer.from(needle)), needle).toBe(false);
      const keyFile = join(database().dataDir, KEY_FILE);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      if (database().dialect === 'sqlite') expect(statSync(join(database().dataDir, 'vow.db')).mode & 0o777).toBe(0o600);
    }));
});

describeEachDatabase('master-key rotation', (database) => {
  it('re-wraps every data key under a new master key while a server keeps reading', () =>
    withStore(database(), async (store) => {
      const server = await vaultOf(database(), store);
      const { subjectId } = await createAccount(server, { fields: jane, actor: 'public' });
      const before = await store.db.selectFrom('subject_keys').select(['master_key_id', 'wrapped']).executeTakeFirstOrThrow();

      // The CLI is another process with its own keyring on the same key file.
      const cli = await vaultOf(database(), store);
      const result = await rotateMasterKey(store.db, cli.keyring, { actor: 'cli', settleMs: 1100 });
      expect(result.masterKeyId).not.toBe(before.master_key_id);
      expect(result.rewrapped).toBe(2); // the subject's key and the blind-index key

      const after = await store.db.selectFrom('subject_keys').select(['master_key_id', 'wrapped']).executeTakeFirstOrThrow();
      expect(after.master_key_id).toBe(result.masterKeyId);
      expect(after.wrapped).not.toBe(before.wrapped);
      expect(readFileSync(join(database().dataDir, KEY_FILE), 'utf8').trim().split('\n')).toHaveLength(1);

      // The running server meets a key id it does not know, reloads the key file, and carries on.
      expect((await read(server, subjectId, 'communicate')).categories[0]?.records[0]?.fields).toEqual(jane);
      const next = await createAccount(server, { fields: { ...jane, email: 'after.rotation@example.com' }, actor: 'public' });
      expect((await read(server, next.subjectId, 'communicate')).categories).toHaveLength(1);
      expect(await verifyAudit(store.db)).toMatchObject({ ok: true });
    }));

  it('takes the master key from VOW_MASTER_KEY, and re-wraps under a new one given the old as previous, the audit head included', async () => {
    const { declaration } = await loadDeclaration(examplePolicy);
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    // Each step is a process started with its own environment, its store and its vault keyed alike.
    const started = (env: Record<string, string>, step: (vault: VaultContext, store: Store) => Promise<void>) =>
      withStore(database(), async (store) => step(await openVault({ db: store.db, ...database().config(env), declaration }), store), env);
    let subjectId = '';
    await started({ VOW_MASTER_KEY: oldKey }, async (first) => {
      subjectId = (await createAccount(first, { fields: jane, actor: 'public' })).subjectId;
    });
    expect(existsSync(join(database().dataDir, KEY_FILE))).toBe(false);

    await started({ VOW_MASTER_KEY: newKey, VOW_PREVIOUS_MASTER_KEYS: oldKey }, async (rotated, store) => {
      expect((await rotateMasterKey(store.db, rotated.keyring, { actor: 'cli' })).rewrapped).toBe(2);
    });
    await started({ VOW_MASTER_KEY: newKey }, async (onlyNew, store) => {
      expect((await read(onlyNew, subjectId, 'communicate')).categories[0]?.records[0]?.fields).toEqual(jane);
      expect(await verifyAudit(store.db)).toMatchObject({ ok: true });
    });
    await expect(started({ VOW_MASTER_KEY: oldKey }, () => Promise.resolve())).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describeEachDatabase('the master key kept apart from the data', (database) => {
  it('reads and creates the key file where VOW_MASTER_KEY_FILE says, and serve warns only when it sits beside the SQLite database', async () => {
    const secrets = mkdtempSync(join(tmpdir(), 'vow-secrets-'));
    try {
      const keyFile = join(secrets, 'vow-master-key');
      const apart = database().config({ VOW_MASTER_KEY_FILE: keyFile });
      const declaration = (await loadDeclaration(examplePolicy)).declaration;
      await withStore(database(), async (store: Store) => {
        const vault = await openVault({ db: store.db, dataDir: apart.dataDir, masterKeys: undefined, masterKeyFile: apart.masterKeyFile, declaration });
        const { subjectId } = await createAccount(vault, { fields: { email: 'apart@example.com', name: 'Kept Apart', birthDate: '1990-01-01' }, actor: 'test' });
        expect(statSync(keyFile).mode & 0o777).toBe(0o600);
        expect(existsSync(join(database().dataDir, KEY_FILE))).toBe(false);
        // The same file opens the same data again.
        const again = await openVault({ db: store.db, dataDir: apart.dataDir, masterKeys: undefined, masterKeyFile: keyFile, declaration });
        expect((await readSubjectData(again, { subjectId, purpose: 'provide-services', actor: 'test', readerMayUsePurpose: true })).categories).toHaveLength(1);
        const running = { keySource: vault.keyring.source, dialect: store.dialect };
        expect(keyBesideDatabase(apart, running)).toBeUndefined();
        const warning = keyBesideDatabase(database().config(), running);
        if (store.dialect === 'sqlite') expect(warning).toContain('sits beside the database it protects');
        else expect(warning).toBeUndefined();
        expect(keyBesideDatabase(database().config(), { ...running, keySource: 'environment' })).toBeUndefined();
      }, { VOW_MASTER_KEY_FILE: keyFile });
    } finally {
      rmSync(secrets, { recursive: true, force: true });
    }
  });
});
