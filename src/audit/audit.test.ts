import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { canonicalJson } from '../canonical-json.js';
import { openStore, type Store } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import { appendAudit } from './append-audit.js';
import { parseCheckpoint, signCheckpoint, verifyAgainstCheckpoint, type AuditCheckpoint } from './audit-checkpoint.js';
import { hashAuditRecord } from './audit-record.js';
import { verifyAudit } from './verify-audit.js';

async function appendMany(db: Kysely<Database>, count: number): Promise<void> {
  for (let index = 1; index <= count; index += 1) {
    await db.transaction().execute((trx) => appendAudit(trx, { actor: 'test', action: 'thing.done', target: `thing:${index}`, data: { index } }));
  }
}

describe('the audit record hash', () => {
  it('covers every field, so changing any one changes the hash', () => {
    const record = { seq: 1, at: '2026-01-01T00:00:00.000Z', actor: 'cli', action: 'policy.published', target: 'policy:v1', data: '{}', prevHash: '0'.repeat(64) };
    const hash = hashAuditRecord(record);
    for (const [field, value] of Object.entries({ seq: 2, at: '2026-01-02T00:00:00.000Z', actor: 'x', action: 'y', target: 'z', data: '{"a":1}', prevHash: '1'.repeat(64) })) {
      expect(hashAuditRecord({ ...record, [field]: value }), field).not.toBe(hash);
    }
  });
});

describeEachDatabase('the audit log is a hash chain that detects tampering', (database) => {

  it('verifies an empty log and a log of appended records', () =>
    withStore(database(), async ({ db }) => {
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 0 });
      await appendMany(db, 5);
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 5 });
    }));

  it('detects an edited row', () =>
    withStore(database(), async ({ db }) => {
      await appendMany(db, 5);
      await db.updateTable('audit_log').set({ target: 'thing:99' }).where('seq', '=', 3).execute();
      expect(await verifyAudit(db)).toEqual({ ok: false, seq: 3, reason: 'record 3 was altered (its hash does not match its content)' });
    }));

  it('detects a deleted row, in the middle or at the end', () =>
    withStore(database(), async ({ db }) => {
      await appendMany(db, 5);
      await db.deleteFrom('audit_log').where('seq', '=', 5).execute();
      expect(await verifyAudit(db)).toMatchObject({ ok: false, seq: 5, reason: 'records after 4 are missing (the log should end at 5)' });
      await db.deleteFrom('audit_log').where('seq', '=', 2).execute();
      expect(await verifyAudit(db)).toMatchObject({ ok: false, seq: 2, reason: 'record 2 is missing (next is 3)' });
    }));

  it('detects an inserted row, even one whose own hash is right', () =>
    withStore(database(), async ({ db }) => {
      await appendMany(db, 3);
      // Make room at 2 and slip a well-formed record in.
      await db.updateTable('audit_log').set((eb) => ({ seq: eb('seq', '+', 100) })).where('seq', '>=', 2).execute();
      await db.updateTable('audit_log').set((eb) => ({ seq: eb('seq', '-', 99) })).where('seq', '>=', 100).execute();
      const first = await db.selectFrom('audit_log').selectAll().where('seq', '=', 1).executeTakeFirstOrThrow();
      const forged = { seq: 2, at: first.at, actor: 'intruder', action: 'thing.done', target: 'thing:x', data: '{}', prevHash: first.hash };
      const { prevHash, ...columns } = forged;
      await db.insertInto('audit_log').values({ ...columns, prev_hash: prevHash, hash: hashAuditRecord(forged) }).execute();
      expect(await verifyAudit(db)).toMatchObject({ ok: false, seq: 3, reason: 'record 3 does not follow record 2' });
    }));

  it('detects reordered rows', () =>
    withStore(database(), async ({ db }) => {
      await appendMany(db, 4);
      await db.updateTable('audit_log').set({ seq: -2 }).where('seq', '=', 2).execute();
      await db.updateTable('audit_log').set({ seq: 2 }).where('seq', '=', 3).execute();
      await db.updateTable('audit_log').set({ seq: 3 }).where('seq', '=', -2).execute();
      expect(await verifyAudit(db)).toMatchObject({ ok: false, seq: 2 });
    }));

  it('detects a row slipped in before the first', () =>
    withStore(database(), async ({ db }) => {
      await appendMany(db, 2);
      await sql`insert into audit_log (seq, at, actor, action, target, data, prev_hash, hash) values (0, 'x', 'x', 'x', 'x', '{}', 'x', 'x')`.execute(db);
      expect(await verifyAudit(db)).toMatchObject({ ok: false, seq: 1, reason: 'record 1 is missing (next is 0)' });
    }));

  it('keeps one unbroken chain under concurrent appends (two connection pools on PostgreSQL, as two processes have)', () =>
    withStore(database(), async (first) => {
      // One process owns a SQLite file; two handles in one thread would only wait on each other.
      const second = database().dialect === 'postgres' ? await openStore(database().config()) : first;
      try {
        const burst = (store: Store, name: string) =>
          Promise.all(
            Array.from({ length: 25 }, (_, index) =>
              store.db.transaction().execute((trx) => appendAudit(trx, { actor: name, action: 'thing.done', target: `thing:${index}` })),
            ),
          );
        await Promise.all([burst(first, 'one'), burst(second, 'two')]);
      } finally {
        if (second !== first) await second.close();
      }
      expect(await verifyAudit(first.db)).toMatchObject({ ok: true, count: 50 });
    }));
});

describeEachDatabase('the head of the log is sealed with a key derived from the master key', (database) => {
  it('is sealed at every append, and an append after a break does not seal it again', () =>
    withStore(database(), async ({ db }) => {
      await appendMany(db, 5);
      const sealed = await db.selectFrom('audit_head').select(['mac', 'mac_key_id']).executeTakeFirstOrThrow();
      expect(sealed.mac).toMatch(/^[0-9a-f]{64}$/);
      const fourth = await db.selectFrom('audit_log').select('hash').where('seq', '=', 4).executeTakeFirstOrThrow();
      await db.deleteFrom('audit_log').where('seq', '=', 5).execute();
      await db.updateTable('audit_head').set({ seq: 4, hash: fourth.hash }).execute();
      // The honest appends that follow keep the moved head's stale seal: the break stays visible.
      await appendMany(db, 3);
      expect(await verifyAudit(db)).toMatchObject({ ok: false, seq: 7, reason: expect.stringContaining('does not carry this installation’s MAC') as unknown });
    }));

  it('cannot be appended to or verified through a handle that carries no key', () =>
    withStore(database(), async ({ db }) => {
      const bare = db.withoutPlugins();
      await expect(bare.transaction().execute((trx) => appendAudit(trx, { actor: 'test', action: 'thing.done', target: 'thing:1' }))).rejects.toMatchObject({ code: 'unavailable' });
      await expect(verifyAudit(bare)).rejects.toMatchObject({ code: 'unavailable' });
    }));

  it('says so when the master key it was sealed under is not available, and refuses to append over it', async () => {
    await withStore(database(), (store) => appendMany(store.db, 3));
    await withStore(
      database(),
      async ({ db }) => {
        expect(await verifyAudit(db)).toMatchObject({ ok: false, seq: 3, reason: expect.stringContaining('which is not available') as unknown });
        await expect(appendMany(db, 1)).rejects.toMatchObject({ code: 'unavailable' });
      },
      { VOW_MASTER_KEY: randomBytes(32).toString('base64') },
    );
  });

  it('is sealed as it stands when a database from before the keyed head upgrades, and never again after', async () => {
    await withStore(database(), async ({ db }) => {
      await appendMany(db, 3);
      // Back to the schema before the upgrade: no seal, and the migration not yet run.
      await db.schema.alterTable('audit_head').dropColumn('mac').execute();
      await db.schema.alterTable('audit_head').dropColumn('mac_key_id').execute();
      // Later migrations undone too, so the upgrade runs as it would from that schema (a new one adds its undoing here).
      await db.schema.dropTable('system_tasks').execute();
      await db.schema.dropIndex('recipient_tasks_request').execute();
      await db.schema.alterTable('recipient_tasks').dropColumn('request_id').execute();
      await db.schema.alterTable('recipient_tasks').dropColumn('done_reason').execute();
      await db.schema.alterTable('consent_records').dropColumn('region').execute();
      await db.schema.alterTable('consent_records').dropColumn('consent_model').execute();
      await db.schema.dropTable('breach_subjects').execute();
      await db.schema.dropTable('breaches').execute();
      await db.schema.dropTable('staff_sessions').execute();
      await db.schema.dropTable('staff_accounts').execute();
      await db.schema.dropIndex('requests_due').execute();
      await db.schema.dropTable('site_scans').execute();
      await sql`delete from kysely_migration where name >= '0018-audit-head-mac'`.execute(db);
    });
    await withStore(database(), async ({ db }) => {
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 3 });
      await appendMany(db, 1);
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 4 });
      // A seal cleared later is a break, whoever clears it.
      await db.updateTable('audit_head').set({ mac: null, mac_key_id: null }).execute();
      await appendMany(db, 1);
      expect(await verifyAudit(db)).toMatchObject({ ok: false, reason: 'the head of the log carries no MAC' });
    });
    await withStore(database(), async ({ db }) => {
      expect(await verifyAudit(db)).toMatchObject({ ok: false, reason: 'the head of the log carries no MAC' });
    });
  });
});

describeEachDatabase('hostile text in the audit log', (database) => {
  it('stores every audited field so that it re-hashes and reads back as one encoding: lone surrogates, NUL, 4-byte characters and bidi marks', () =>
    withStore(database(), async ({ db }) => {
      // Escaped: what the databases store differently. Kept as given: everything else.
      const hostile = [
        { text: 'half \ud800 a pair', stored: 'half \\ud800 a pair' },
        { text: 'x\udfffy', stored: 'x\\udfffy' },
        { text: 'a\u0000b', stored: 'a\\u0000b' },
        { text: '🤖 robot and 𝕏', stored: '🤖 robot and 𝕏' },
        { text: '\u202eevil\u202c \u2066isolated\u2069', stored: '\u202eevil\u202c \u2066isolated\u2069' },
        { text: 'é\u0301', stored: 'é\u0301' },
      ];
      for (const { text } of hostile) {
        await db.transaction().execute((trx) => appendAudit(trx, { actor: `key:${text}`, action: `thing.${text}`, target: `thing:${text}`, data: { text, [text]: text } }));
      }
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: hostile.length });
      const stored = await db.selectFrom('audit_log').select(['actor', 'action', 'target', 'data']).orderBy('seq').execute();
      expect(stored).toEqual(
        hostile.map(({ text, stored: as }) => ({ actor: `key:${as}`, action: `thing.${as}`, target: `thing:${as}`, data: canonicalJson({ text, [text]: text }) })),
      );
    }));

  it('gives a verdict, not an error, when the head row is gone', () =>
    withStore(database(), async ({ db }) => {
      await appendMany(db, 3);
      await db.deleteFrom('audit_head').execute();
      expect(await verifyAudit(db)).toEqual({ ok: false, seq: 4, reason: 'the head row of the log is missing' });
    }));
});

describeEachDatabase('signed checkpoints kept outside the database', (database) => {
  const withSigned = (test: (db: Kysely<Database>, checkpoint: AuditCheckpoint, publicKey: string) => Promise<void>) =>
    withStore(database(), async ({ db }) => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
      const signing = { sign: (data: Buffer) => sign(null, data, privateKey).toString('base64'), publicKeyPem };
      await appendMany(db, 10);
      const checkpoint = await signCheckpoint(db, signing);
      expect(checkpoint).toMatchObject({ format: 'vow-audit-checkpoint/1', seq: 10 });
      await appendMany(db, 2);
      await test(db, checkpoint, publicKeyPem);
    });
  it('holds for an untouched log, and only under this installation’s key', () =>
    withSigned(async (db, checkpoint, publicKey) => {
      expect(await verifyAgainstCheckpoint(db, checkpoint, publicKey)).toMatchObject({ ok: true, count: 12 });
      const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
      expect(await verifyAgainstCheckpoint(db, checkpoint, other)).toMatchObject({ ok: false, reason: expect.stringContaining('not signed') as unknown });
      expect(await verifyAgainstCheckpoint(db, { ...checkpoint, seq: 11 }, publicKey)).toMatchObject({ ok: false, reason: expect.stringContaining('not signed') as unknown });
    }));

  it('reads checkpoint files strictly', () => {
    expect(() => parseCheckpoint('not json')).toThrow(/not JSON/);
    expect(() => parseCheckpoint('{"format":"vow-audit-checkpoint/1","seq":-1}')).toThrow(/not a Vow audit checkpoint/);
  });
});
