import { generateKeyPairSync, sign } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { openStore, type Store } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import { GENESIS_HASH } from '../store/migrations.js';
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

describeEachDatabase('hostile text in the audit log', (database) => {
  it('stores every audited field so that it re-hashes: NUL, lone surrogates, 4-byte characters and bidi marks', () =>
    withStore(database(), async ({ db }) => {
      const hostile = ['a\u0000b', '\ud800', 'x\udfffy', '🤖 robot', '\u202eevil\u202c', 'é\u0301'];
      for (const text of hostile) {
        await db.transaction().execute((trx) => appendAudit(trx, { actor: `key:${text}`, action: `thing.${text}`, target: `thing:${text}`, data: { text, [text]: true } }));
      }
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: hostile.length });
      const [first] = await db.selectFrom('audit_log').select(['target', 'actor']).where('seq', '=', 1).execute();
      expect(first).toEqual({ target: 'thing:a\\u0000b', actor: 'key:a\\u0000b' });
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
  /** Rewrites the whole chain from record `from` on, with correct hashes and head: what verifyAudit alone cannot see. */
  const rehashFrom = async (db: Kysely<Database>, from: number, change: (target: string) => string) => {
    const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
    let prevHash = rows.find((row) => row.seq === from - 1)?.hash ?? GENESIS_HASH;
    for (const row of rows.filter((candidate) => candidate.seq >= from)) {
      const record = { seq: row.seq, at: row.at, actor: row.actor, action: row.action, target: change(row.target), data: row.data, prevHash };
      const hash = hashAuditRecord(record);
      await db.updateTable('audit_log').set({ target: record.target, prev_hash: prevHash, hash }).where('seq', '=', row.seq).execute();
      prevHash = hash;
    }
    await db.updateTable('audit_head').set({ hash: prevHash }).execute();
  };

  it('holds for an untouched log, and only under this installation’s key', () =>
    withSigned(async (db, checkpoint, publicKey) => {
      expect(await verifyAgainstCheckpoint(db, checkpoint, publicKey)).toMatchObject({ ok: true, count: 12 });
      const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
      expect(await verifyAgainstCheckpoint(db, checkpoint, other)).toMatchObject({ ok: false, reason: expect.stringContaining('not signed') as unknown });
      expect(await verifyAgainstCheckpoint(db, { ...checkpoint, seq: 11 }, publicKey)).toMatchObject({ ok: false, reason: expect.stringContaining('not signed') as unknown });
    }));

  it('catches a cut tail with the head moved back', () =>
    withSigned(async (db, checkpoint, publicKey) => {
      const rows = await db.selectFrom('audit_log').selectAll().where('seq', '<=', 7).orderBy('seq').execute();
      // Cut at 7, head moved back: the chain alone verifies.
      await db.deleteFrom('audit_log').where('seq', '>', 7).execute();
      await db.updateTable('audit_head').set({ seq: 7, hash: rows.at(-1)?.hash ?? '' }).execute();
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 7 });
      expect(await verifyAgainstCheckpoint(db, checkpoint, publicKey)).toMatchObject({ ok: false, seq: 10, reason: expect.stringContaining('is missing') as unknown });
    }));

  it('catches a wiped log with its head reset', () =>
    withSigned(async (db, checkpoint, publicKey) => {
      await db.deleteFrom('audit_log').execute();
      await db.updateTable('audit_head').set({ seq: 0, hash: GENESIS_HASH }).execute();
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 0 });
      expect(await verifyAgainstCheckpoint(db, checkpoint, publicKey)).toMatchObject({ ok: false, reason: expect.stringContaining('wiped') as unknown });
    }));

  it('catches a rehash of the whole chain from before the checkpoint, however correct its hashes', () =>
    withSigned(async (db, checkpoint, publicKey) => {
      await rehashFrom(db, 4, (target) => `${target}-forged`);
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 12 });
      expect(await verifyAgainstCheckpoint(db, checkpoint, publicKey)).toMatchObject({ ok: false, seq: 10, reason: expect.stringContaining('rewritten') as unknown });
    }));

  it('reads checkpoint files strictly', () => {
    expect(() => parseCheckpoint('not json')).toThrow(/not JSON/);
    expect(() => parseCheckpoint('{"format":"vow-audit-checkpoint/1","seq":-1}')).toThrow(/not a Vow audit checkpoint/);
  });
});
