/**
 * Every kind of tampering a hostile report tried on the audit log, or could: each one is
 * caught by `verifyAudit` against a checkpoint signed before it, and all but one by the
 * chain and its keyed head alone. The one left is the limit of any log that lives in the
 * database it audits: cutting the log back to a head copied earlier, MAC and all, is seen
 * only by a checkpoint kept elsewhere after that head.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { GENESIS_HASH } from '../store/migrations.js';
import type { AuditHeadTable, Database } from '../store/schema.js';
import { appendAudit } from './append-audit.js';
import { signCheckpoint, verifyAgainstCheckpoint } from './audit-checkpoint.js';
import { hashAuditRecord } from './audit-record.js';
import { verifyAudit } from './verify-audit.js';

/** The log as an attacker with write access to the database (and no master key) sees it. */
interface Log {
  db: Kysely<Database>;
  /** The head row as it was right after record `seq` was appended (an attacker who kept copies). */
  headAfter: (seq: number) => AuditHeadTable;
}

type Row = Database['audit_log'];

const rows = (db: Kysely<Database>): Promise<Row[]> => db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
const hashOf = (row: Omit<Row, 'hash'>) => hashAuditRecord({ ...row, prevHash: row.prev_hash });
const moveHead = (db: Kysely<Database>, head: Partial<AuditHeadTable>) => db.updateTable('audit_head').set(head).where('id', '=', 1).execute();

/** Rewrites every record from `from` on with correct hashes, changed by `change`, and moves the head to match. */
async function rehashFrom(db: Kysely<Database>, from: number, change: (row: Row) => Partial<Row>): Promise<void> {
  const all = await rows(db);
  let prevHash = all.find((row) => row.seq === from - 1)?.hash ?? GENESIS_HASH;
  for (const row of all.filter((candidate) => candidate.seq >= from)) {
    const changed = { ...row, ...change(row), prev_hash: prevHash };
    const hash = hashOf(changed);
    await db.updateTable('audit_log').set({ ...changed, hash }).where('seq', '=', row.seq).execute();
    prevHash = hash;
  }
  await moveHead(db, { seq: all.at(-1)?.seq ?? 0, hash: prevHash });
}

/** Appends a record with a correct hash after the last, and moves the head to it: all but the MAC. */
async function forgeAppend(db: Kysely<Database>, content: Pick<Row, 'actor' | 'action' | 'target' | 'data'>): Promise<void> {
  const last = (await rows(db)).at(-1);
  const forged = { seq: (last?.seq ?? 0) + 1, at: new Date().toISOString(), ...content, prev_hash: last?.hash ?? GENESIS_HASH };
  const hash = hashOf(forged);
  await db.insertInto('audit_log').values({ ...forged, hash }).execute();
  await moveHead(db, { seq: forged.seq, hash });
}

const record = async (db: Kysely<Database>, seq: number): Promise<Row> => db.selectFrom('audit_log').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();

interface Tampering {
  name: string;
  tamper: (log: Log) => Promise<unknown>;
  /** What `verifyAudit` says without a checkpoint, or 'unseen' for the one kind only a checkpoint catches. */
  alone: RegExp | 'unseen';
}

/** Twelve records, the checkpoint signed at the tenth. */
const tamperings: Tampering[] = [
  {
    name: 'a field of a middle record edited',
    tamper: ({ db }) => db.updateTable('audit_log').set({ actor: 'someone-else' }).where('seq', '=', 5).execute(),
    alone: /record 5 was altered/,
  },
  {
    name: 'the data of a middle record edited',
    tamper: ({ db }) => db.updateTable('audit_log').set({ data: '{"index":99}' }).where('seq', '=', 5).execute(),
    alone: /record 5 was altered/,
  },
  {
    name: 'a record’s hash replaced',
    tamper: ({ db }) => db.updateTable('audit_log').set({ hash: createHash('sha256').update('forged').digest('hex') }).where('seq', '=', 5).execute(),
    alone: /record 5 was altered/,
  },
  {
    name: 'a record’s link to the one before replaced',
    tamper: ({ db }) => db.updateTable('audit_log').set({ prev_hash: GENESIS_HASH }).where('seq', '=', 5).execute(),
    alone: /record 5 does not follow record 4/,
  },
  {
    name: 'a middle record deleted',
    tamper: ({ db }) => db.deleteFrom('audit_log').where('seq', '=', 5).execute(),
    alone: /record 5 is missing/,
  },
  {
    name: 'the tail deleted, the head left where it was',
    tamper: ({ db }) => db.deleteFrom('audit_log').where('seq', '>', 7).execute(),
    alone: /records after 7 are missing/,
  },
  {
    name: 'the tail deleted and the head moved back to the new last record',
    tamper: async ({ db }) => {
      const kept = await record(db, 7);
      await db.deleteFrom('audit_log').where('seq', '>', 7).execute();
      await moveHead(db, { seq: 7, hash: kept.hash });
    },
    alone: /MAC/,
  },
  {
    name: 'everything wiped and the head reset to the start',
    tamper: async ({ db }) => {
      await db.deleteFrom('audit_log').execute();
      await moveHead(db, { seq: 0, hash: GENESIS_HASH });
    },
    alone: /MAC/,
  },
  {
    name: 'a forged record appended with a correct hash, the head moved to it',
    tamper: ({ db }) => forgeAppend(db, { actor: 'cli', action: 'policy.published', target: 'policy:v9', data: '{}' }),
    alone: /MAC/,
  },
  {
    name: 'a record replayed at the end as a new one, with a correct hash and head',
    tamper: async ({ db }) => {
      const { actor, action, target, data } = await record(db, 5);
      await forgeAppend(db, { actor, action, target, data });
    },
    alone: /MAC/,
  },
  {
    name: 'rehashed from a middle record on, the head moved to match',
    tamper: ({ db }) => rehashFrom(db, 4, (row) => ({ target: `${row.target}-forged` })),
    alone: /MAC/,
  },
  {
    name: 'two full rehashes',
    tamper: async ({ db }) => {
      await rehashFrom(db, 1, (row) => ({ target: `${row.target}-once` }));
      await rehashFrom(db, 1, (row) => ({ target: `${row.target}-twice` }));
    },
    alone: /MAC/,
  },
  {
    name: 'two records’ sequence numbers swapped',
    tamper: async ({ db }) => {
      await db.updateTable('audit_log').set({ seq: -5 }).where('seq', '=', 5).execute();
      await db.updateTable('audit_log').set({ seq: 5 }).where('seq', '=', 6).execute();
      await db.updateTable('audit_log').set({ seq: 6 }).where('seq', '=', -5).execute();
    },
    alone: /record 5 does not follow record 4/,
  },
  {
    name: 'a record inserted in the middle, the rest renumbered and rehashed',
    tamper: async ({ db }) => {
      await db.updateTable('audit_log').set((eb) => ({ seq: eb('seq', '+', 1000) })).where('seq', '>=', 5).execute();
      await db.updateTable('audit_log').set((eb) => ({ seq: eb('seq', '-', 999) })).where('seq', '>=', 1000).execute();
      const fourth = await record(db, 4);
      await db.insertInto('audit_log').values({ ...fourth, seq: 5, target: 'thing:slipped-in', hash: 'placeholder' }).execute();
      await rehashFrom(db, 5, (row) => row);
    },
    alone: /MAC/,
  },
  {
    name: 'the head row deleted',
    tamper: ({ db }) => db.deleteFrom('audit_head').execute(),
    alone: /head row of the log is missing/,
  },
  {
    name: 'the head’s sequence number changed',
    tamper: ({ db }) => moveHead(db, { seq: 11 }),
    alone: /head does not match/,
  },
  {
    name: 'the head’s hash changed',
    tamper: async ({ db }) => moveHead(db, { hash: (await record(db, 11)).hash }),
    alone: /head does not match/,
  },
  {
    name: 'the head’s MAC cleared, the tail cut and the head moved back',
    tamper: async ({ db }) => {
      const kept = await record(db, 7);
      await db.deleteFrom('audit_log').where('seq', '>', 7).execute();
      await moveHead(db, { seq: 7, hash: kept.hash, mac: null, mac_key_id: null });
    },
    alone: /carries no MAC/,
  },
  {
    name: 'the tail cut back to a head copied earlier, MAC and all',
    tamper: async ({ db, headAfter }) => {
      await db.deleteFrom('audit_log').where('seq', '>', 7).execute();
      await moveHead(db, headAfter(7));
    },
    alone: 'unseen',
  },
];

describeEachDatabase('every kind of tampering with the audit log is caught', (database) => {
  for (const tampering of tamperings) {
    it(tampering.name, () =>
      withStore(database(), async ({ db }) => {
        const { privateKey, publicKey } = generateKeyPairSync('ed25519');
        const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
        const signing = { sign: (data: Buffer) => sign(null, data, privateKey).toString('base64'), publicKeyPem };
        const heads = new Map<number, AuditHeadTable>();
        const append = async (index: number) => {
          await db.transaction().execute((trx) => appendAudit(trx, { actor: 'test', action: 'thing.done', target: `thing:${index}`, data: { index } }));
          heads.set(index, await db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow());
        };
        for (let index = 1; index <= 10; index += 1) await append(index);
        const checkpoint = await signCheckpoint(db, signing);
        for (let index = 11; index <= 12; index += 1) await append(index);
        expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 12 });

        await tampering.tamper({
          db,
          headAfter: (seq) => {
            const head = heads.get(seq);
            if (!head) throw new Error(`no head was seen after record ${seq}`);
            return head;
          },
        });

        const alone = await verifyAudit(db);
        if (tampering.alone === 'unseen') expect(alone).toMatchObject({ ok: true });
        else expect(alone).toMatchObject({ ok: false, reason: expect.stringMatching(tampering.alone) as unknown });
        expect(await verifyAgainstCheckpoint(db, checkpoint, publicKeyPem)).toMatchObject({ ok: false });
      }),
    );
  }
});
