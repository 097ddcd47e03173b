/**
 * A disclosure's details (for a legal request: who asked, under what process, for what)
 * are sealed under the key of the subjects it carried, so that erasing them shreds the
 * details too: no row holds them in the clear, staff for legal compliance and the
 * subject's own access export read them while a subject's key exists, and once the last
 * subject is erased nothing can. Details written before sealing are sealed at start, or
 * cleared when their subjects are gone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { createVow, type Vow } from '../src/app.js';
import { issueApiKey } from '../src/auth/api-key.js';
import { exportSubject } from '../src/export/export-subject.js';
import { migrations } from '../src/store/migrations.js';
import { SQLITE_FILE } from '../src/store/open-store.js';
import type { Database } from '../src/store/schema.js';
import { describeEachDatabase, type TestDatabase } from './support/databases.js';

const details = {
  authority: 'District Court of Exampleton',
  process: 'court order',
  reference: 'CV-2026-0042-QUUX',
  scope: 'account data of Zelda Quux, suspected of fraud in case ZQ-7731',
  receivedOn: '2026-11-20',
};
/** The free text that must never sit in the clear. */
const secrets = [details.scope, details.reference, 'Zelda Quux', 'ZQ-7731'];

interface DisclosuresJson {
  disclosures: { id: string; kind: string; details?: Record<string, string> | null }[];
}

interface Keys {
  officer: string;
  support: string;
}

async function keysOf(vow: Vow): Promise<Keys> {
  return {
    officer: (await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'test' })).secret,
    support: (await issueApiKey(vow.store.db, { role: 'support', purposes: ['communicate'], actor: 'test' })).secret,
  };
}

async function signUp(vow: Vow, email: string): Promise<string> {
  const response = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email, name: 'Zelda Quux', birthDate: '1990-01-01' } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}

async function legalRequest(vow: Vow, keys: Keys, subjectIds: string[]): Promise<string> {
  const authorities = vow.vault.declaration.recipients.find((recipient) => recipient.kind === 'legal-authority')?.id ?? '';
  const made = await vow.server.inject({
    method: 'POST',
    url: '/v1/disclosures',
    headers: { authorization: `Bearer ${keys.officer}` },
    payload: { recipient: authorities, categories: ['account'], purpose: 'legal-compliance', subjects: { ids: subjectIds }, kind: 'legal-request', legalGround: 'legal-obligation', details },
  });
  expect(made.statusCode, made.body).toBe(201);
  return made.json<{ manifest: { disclosureId: string } }>().manifest.disclosureId;
}

async function disclosuresOf(vow: Vow, key: string, subjectId: string) {
  return vow.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/disclosures`, headers: { authorization: `Bearer ${key}` } });
}

/** The database as stored: the SQLite file and its write-ahead log, or a dump of the PostgreSQL database. */
function rawDatabase(database: TestDatabase): Buffer {
  if (database.dialect === 'postgres') return execFileSync('pg_dump', ['--no-owner', database.url ?? ''], { maxBuffer: 256 * 1024 * 1024 });
  const files = ['', '-wal'].map((suffix) => join(database.dataDir, `${SQLITE_FILE}${suffix}`)).filter((file) => existsSync(file));
  return Buffer.concat(files.map((file) => readFileSync(file)));
}

const found = (bytes: Buffer) => secrets.filter((secret) => bytes.includes(secret));

describeEachDatabase('disclosure details sealed under the subject’s key', (database) => {
  it('are stored sealed, shown to keys for legal compliance and in the subject’s export, and withheld from other keys', async () => {
    const vow = await createVow(database().config());
    try {
      const keys = await keysOf(vow);
      const subjectId = await signUp(vow, 'zelda@example.com');
      const disclosureId = await legalRequest(vow, keys, [subjectId]);

      const raw = rawDatabase(database());
      // The scan reads the real thing: the disclosure is in it.
      expect(raw.includes(disclosureId)).toBe(true);
      expect(found(raw)).toEqual([]);
      const row = await vow.store.db.selectFrom('disclosures').select('details').where('id', '=', disclosureId).executeTakeFirstOrThrow();
      expect(row.details).toMatch(/^v1\./);

      const forOfficer = await disclosuresOf(vow, keys.officer, subjectId);
      expect(forOfficer.json<DisclosuresJson>().disclosures).toEqual([expect.objectContaining({ id: disclosureId, kind: 'legal-request', details })]);
      const forSupport = await disclosuresOf(vow, keys.support, subjectId);
      expect(forSupport.statusCode).toBe(200);
      expect(forSupport.json<DisclosuresJson>().disclosures[0]).not.toHaveProperty('details');
      const reads = await vow.store.db.selectFrom('audit_log').select('data').where('action', '=', 'staff.read').where('target', '=', `subject:${subjectId}`).execute();
      expect(reads.map((read) => JSON.parse(read.data) as { what: string })).toEqual([expect.objectContaining({ what: 'disclosure details' })]);

      expect(await exportedDisclosures(vow, subjectId)).toEqual([expect.objectContaining({ id: disclosureId, details })]);
    } finally {
      await vow.close();
    }
  });

  it('are shredded by the erasure of the last subject: unreadable, and in the clear nowhere', async () => {
    const vow = await createVow(database().config());
    try {
      const keys = await keysOf(vow);
      const first = await signUp(vow, 'zelda@example.com');
      const second = await signUp(vow, 'zeke@example.com');
      const disclosureId = await legalRequest(vow, keys, [first, second]);
      const erase = (subjectId: string) =>
        vow.server.inject({ method: 'POST', url: `/v1/subjects/${subjectId}/erase`, headers: { authorization: `Bearer ${keys.officer}` }, payload: { reason: 'admin' } });

      // The details describe the disclosure: the subject it still concerns still reads them.
      expect((await erase(first)).statusCode).toBe(200);
      expect((await disclosuresOf(vow, keys.officer, first)).statusCode).toBe(404);
      expect((await disclosuresOf(vow, keys.officer, second)).json<DisclosuresJson>().disclosures).toEqual([expect.objectContaining({ id: disclosureId, details })]);

      expect((await erase(second)).statusCode).toBe(200);
      // What is left is ciphertext with no key: no accounting row holds a copy of the disclosure's key, no subject key remains.
      const left = await vow.store.db.selectFrom('disclosures').select(['details', 'details_key']).where('id', '=', disclosureId).executeTakeFirstOrThrow();
      expect(left.details).toMatch(/^v1\./);
      expect(left.details_key).toBeNull();
      expect(await vow.store.db.selectFrom('disclosure_subjects').select('subject_id').where('disclosure_id', '=', disclosureId).execute()).toEqual([]);
      expect(await vow.store.db.selectFrom('subject_keys').select('subject_id').where('subject_id', 'in', [first, second]).execute()).toEqual([]);
      expect(found(rawDatabase(database()))).toEqual([]);
    } finally {
      await vow.close();
    }
  });

  it('written in the clear before sealing: sealed at the next start while a subject remains, cleared once none does', async () => {
    const config = database().config();
    let kept = '';
    let keptId = '';
    let goneId = '';
    const first = await createVow(config);
    try {
      const keys = await keysOf(first);
      kept = await signUp(first, 'zelda@example.com');
      const gone = await signUp(first, 'zeke@example.com');
      keptId = await legalRequest(first, keys, [kept]);
      goneId = await legalRequest(first, keys, [gone]);
      expect((await first.server.inject({ method: 'POST', url: `/v1/subjects/${gone}/erase`, headers: { authorization: `Bearer ${keys.officer}` }, payload: { reason: 'admin' } })).statusCode).toBe(200);
      // As an older Vow wrote them: plain JSON, no key anywhere.
      await first.store.db.updateTable('disclosures').set({ details: JSON.stringify(details), details_key: null }).where('id', 'in', [keptId, goneId]).execute();
      await first.store.db.updateTable('disclosure_subjects').set({ details_key: null }).execute();
    } finally {
      await first.close();
    }

    const vow = await createVow(config);
    try {
      const keys = await keysOf(vow);
      const rows = await vow.store.db.selectFrom('disclosures').select(['id', 'details']).where('id', 'in', [keptId, goneId]).orderBy('id').execute();
      expect(Object.fromEntries(rows.map((row) => [row.id, row.details.startsWith('v1.') ? 'sealed' : row.details]))).toEqual({ [keptId]: 'sealed', [goneId]: '' });
      expect((await disclosuresOf(vow, keys.officer, kept)).json<DisclosuresJson>().disclosures).toEqual([expect.objectContaining({ id: keptId, details })]);
      // The live rows; the bytes an older Vow wrote may linger in the file's free pages until it is vacuumed.
      const live = [...(await vow.store.db.selectFrom('disclosures').selectAll().execute()), ...(await vow.store.db.selectFrom('disclosure_subjects').selectAll().execute())];
      expect(found(Buffer.from(JSON.stringify(live)))).toEqual([]);
    } finally {
      await vow.close();
    }
  });

  it('written in the clear before sealing: the migration clears those of disclosures whose subjects were all erased, and empty ones', async () => {
    const db = rawKysely(database());
    try {
      const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0017-disclosure-details-sealed'));
      const { error } = await new Migrator({ db, provider: { getMigrations: () => Promise.resolve(before) } }).migrateToLatest();
      expect(error).toBeUndefined();
      await db.insertInto('subjects').values({ id: 'sub_remains', kind: 'account', region: null, created_at: '2026-01-01T00:00:00.000Z', last_activity_at: '2026-01-01T00:00:00.000Z', closed_at: null }).execute();
      const plain = JSON.stringify(details);
      const disclosure = (id: string, value: string, subjectCount: number) => ({
        id,
        recipient: 'authorities',
        purpose: 'legal-compliance',
        categories: '["account"]',
        country: 'US',
        kind: 'legal-request',
        details: value,
        actor: 'test',
        created_at: '2026-01-01T00:00:00.000Z',
        subject_count: subjectCount,
        manifest_hash: '0'.repeat(64),
        legal_ground: 'legal-obligation',
        silent_until: null,
      });
      await db
        .insertInto('disclosures')
        .values([disclosure('dis_erased', plain, 1), disclosure('dis_remains', plain, 1), disclosure('dis_no_one', plain, 0), disclosure('dis_empty', '{}', 1)])
        .execute();
      await db.insertInto('disclosure_subjects').values({ disclosure_id: 'dis_remains', subject_id: 'sub_remains' }).execute();

      const through = Object.fromEntries(Object.entries(migrations).filter(([name]) => name <= '0017-disclosure-details-sealed'));
      const upgraded = await new Migrator({ db, provider: { getMigrations: () => Promise.resolve(through) } }).migrateToLatest();
      expect(upgraded.error).toBeUndefined();
      const rows = await db.selectFrom('disclosures').select(['id', 'details']).orderBy('id').execute();
      expect(Object.fromEntries(rows.map((row) => [row.id, row.details]))).toEqual({ dis_empty: '', dis_erased: '', dis_no_one: plain, dis_remains: plain });
    } finally {
      await db.destroy();
    }
  });
});

/** The disclosures part of the subject's access export, as the zip holds it. */
async function exportedDisclosures(vow: Vow, subjectId: string): Promise<Record<string, unknown>[]> {
  const { unzipSync } = await import('fflate');
  const { zip } = await exportSubject(vow.vault, { subjectId, actor: 'test' });
  const file = unzipSync(zip)['disclosures.json'];
  return JSON.parse(Buffer.from(file ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>[];
}

/** The test database without Vow's migrations run: for the migration's own test. */
function rawKysely(database: TestDatabase): Kysely<Database> {
  if (database.dialect === 'postgres') return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url ?? '' }) }) });
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(join(database.dataDir, SQLITE_FILE)) }) });
}
