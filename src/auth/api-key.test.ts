import { describe, expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { verifyAudit } from '../audit/verify-audit.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { openStore } from '../store/open-store.js';
import { authenticate, ensureAdminKey, issueApiKey, listApiKeys, revokeApiKey, validatePurposes } from './api-key.js';

/** The secret with its last character changed. */
const tampered = (secret: string) => `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;

describe('validatePurposes', () => {
  it('accepts declared purposes and names the unknown ones', async () => {
    const { declaration } = await loadDeclaration(examplePolicy);
    expect(() => {
      validatePurposes(declaration, ['communicate', 'research']);
    }).not.toThrow();
    expect(() => {
      validatePurposes(declaration, ['communicate', 'telepathy']);
    }).toThrow(expect.objectContaining({ code: 'bad_request', message: 'unknown purpose "telepathy"' }));
    expect(() => {
      validatePurposes(declaration, ['x', 'y', 'x']);
    }).toThrow('unknown purposes "x", "y"');
  });
});

describeEachDatabase('API keys', (database) => {
  it('issues a key that authenticates as its role and purposes', () =>
    withStore(database(), async ({ db }) => {
      const issued = await issueApiKey(db, { role: 'support', purposes: ['communicate', 'provide-services', 'communicate'], label: 'help desk', actor: 'cli' });
      expect(issued.id).toMatch(/^key_[0-9a-f]{16}$/);
      expect(issued.secret).toMatch(new RegExp(`^vow_${issued.id}_[A-Za-z0-9_-]{43}$`));
      expect(await authenticate(db, issued.secret)).toEqual({ keyId: issued.id, role: 'support', purposes: ['communicate', 'provide-services'] });

      const other = await issueApiKey(db, { role: 'admin', purposes: [], actor: 'cli' });
      expect(other.secret).not.toBe(issued.secret);
      expect(await authenticate(db, other.secret)).toEqual({ keyId: other.id, role: 'admin', purposes: [] });

      expect(await listApiKeys(db)).toEqual(
        expect.arrayContaining([
          { id: issued.id, role: 'support', purposes: ['communicate', 'provide-services'], label: 'help desk', createdAt: expect.any(String) as unknown, revokedAt: undefined },
          { id: other.id, role: 'admin', purposes: [], label: '', createdAt: expect.any(String) as unknown, revokedAt: undefined },
        ]),
      );
      expect(JSON.stringify(await listApiKeys(db))).not.toMatch(/hash|vow_/);
    }));

  it('stores only the hash: the secret is in no row of the keys table or the audit log', () =>
    withStore(database(), async ({ db }) => {
      const issued = await issueApiKey(db, { role: 'auditor', purposes: ['legal-compliance'], label: 'auditor', actor: 'cli' });
      const secretPart = issued.secret.split('_').slice(3).join('_');
      const rows = JSON.stringify([await db.selectFrom('api_keys').selectAll().execute(), await db.selectFrom('audit_log').selectAll().execute()]);
      expect(rows).not.toContain(issued.secret);
      expect(rows).not.toContain(secretPart.slice(0, 16));

      const audit = await db.selectFrom('audit_log').selectAll().execute();
      expect(audit).toEqual([
        expect.objectContaining({ actor: 'cli', action: 'key.issued', target: `key:${issued.id}`, data: '{"purposes":"legal-compliance","role":"auditor"}' }),
      ]);
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 1 });
    }));

  it('rejects wrong, malformed and revoked secrets', () =>
    withStore(database(), async ({ db }) => {
      const issued = await issueApiKey(db, { role: 'privacy-officer', purposes: [], actor: 'cli' });
      for (const secret of [tampered(issued.secret), '', 'vow_', issued.secret.toUpperCase(), `${issued.secret}x`, ` ${issued.secret}`]) {
        expect(await authenticate(db, secret), secret).toBeUndefined();
      }
      await revokeApiKey(db, { id: issued.id, actor: 'cli' });
      expect(await authenticate(db, issued.secret)).toBeUndefined();
      expect((await listApiKeys(db))[0]?.revokedAt).toEqual(expect.any(String));
      await expect(revokeApiKey(db, { id: issued.id, actor: 'cli' })).rejects.toMatchObject({ code: 'conflict' });
      await expect(revokeApiKey(db, { id: 'key_ffffffffffffffff', actor: 'cli' })).rejects.toMatchObject({
        code: 'not_found',
        message: 'no API key key_ffffffffffffffff',
      });
      const actions = await db.selectFrom('audit_log').select(['action', 'target']).orderBy('seq').execute();
      expect(actions).toEqual([
        { action: 'key.issued', target: `key:${issued.id}` },
        { action: 'key.revoked', target: `key:${issued.id}` },
      ]);
    }));

  it('issues the first-start admin key once, and again only after every admin key is revoked', () =>
    withStore(database(), async ({ db }) => {
      await issueApiKey(db, { role: 'privacy-officer', purposes: [], actor: 'cli' });
      const first = await ensureAdminKey(db);
      expect(first).toBeDefined();
      expect(await authenticate(db, first?.secret ?? '')).toMatchObject({ role: 'admin', purposes: [] });
      expect(await ensureAdminKey(db)).toBeUndefined();
      await revokeApiKey(db, { id: first?.id ?? '', actor: 'cli' });
      const again = await ensureAdminKey(db);
      expect(again?.id).not.toBe(first?.id);
      const admins = (await listApiKeys(db)).filter((key) => key.role === 'admin');
      expect(admins).toHaveLength(2);
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 4 });
    }));

  it('issues one admin key when several starts race (two connection pools on PostgreSQL, as two processes have)', () =>
    withStore(database(), async (first) => {
      // One process owns a SQLite file; two handles in one thread would only wait on each other.
      const second = database().dialect === 'postgres' ? await openStore(database().config()) : first;
      try {
        const results = await Promise.all([first, second, first, second].map((store) => ensureAdminKey(store.db)));
        expect(results.filter((result) => result !== undefined)).toHaveLength(1);
      } finally {
        if (second !== first) await second.close();
      }
      expect((await listApiKeys(first.db)).filter((key) => key.role === 'admin')).toHaveLength(1);
      expect(await verifyAudit(first.db)).toMatchObject({ ok: true, count: 1 });
    }));
});
