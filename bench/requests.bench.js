// Data-subject requests over one million events, on SQLite and on PostgreSQL: the erasure
// of a subject with 10,000 events (every registered table emptied, key destroyed, proof
// and audit written, recipients queued, in one transaction) and the access export of such
// a subject (read, decrypted, JSON and CSV, zipped, audited), each beside a bare indexed
// `DELETE FROM events WHERE subject_id = ?` of another such subject's 10,000 rows, timed
// on the same database connection in the same run (the floor any erasure of those rows has).
//
// The people are real Vow subjects: an account (createAccount), a message
// (recordCommunication), a browser visitor made by createSubject with consent records and
// linked to the account (linkVisitor), and 10,000 events of that visitor sealed under its
// data key as the collector seals them. Their events are interleaved in time with those of
// 20,000 other subjects, so that a subject's rows lie scattered over the table as they do
// when collected over weeks.
//
// Run: npm run build && node --expose-gc bench/requests.bench.js   (or npm run bench)
// PostgreSQL: VOW_BENCH_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test; a
// database of its own is created and dropped; skipped with a message when unreachable.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { pathToFileURL, URL } from 'node:url';
import { openForBulkLoad } from './bulk-load.js';
import { unzipSync } from 'fflate';
import { sql } from 'kysely';
import pg from 'pg';
import { sealEvents } from '../dist/collect/event-data.js';
import { examplePolicyFile } from '../dist/config.js';
import { bannerHashesOf } from '../dist/consent/banner.js';
import { consentProof } from '../dist/consent/consent-record.js';
import { insertConsentRecord } from '../dist/consent/consent.repository.js';
import { newVisitorId } from '../dist/consent/visitor-id.js';
import { eraseSubject } from '../dist/erasure/erase-subject.js';
import { settlePurge } from '../dist/erasure/purge-erased.js';
import { exportSubject } from '../dist/export/export-subject.js';
import { loadDeclaration } from '../dist/policy/load-declaration.js';
import { openStore } from '../dist/store/open-store.js';
import { createAccount } from '../dist/vault/create-account.js';
import { linkVisitor } from '../dist/vault/link-visitor.js';
import { openVault } from '../dist/vault/open-vault.js';
import { recordCommunication } from '../dist/vault/record-communication.js';
import { createSubject } from '../dist/vault/subject-store.js';

const EVENTS = 1_000_000;
const PER_PERSON = 10_000;
const ROUNDS = 5;
/** Each round: one person for the bare delete, one erased, one exported. */
const PEOPLE = ROUNDS * 3;
const REAL = PEOPLE * PER_PERSON;
const OTHER_SUBJECTS = 20_000;
const DAYS = 91;
const START_MS = Date.UTC(2026, 5, 1);
const ERASE_TARGET_MS = 100;
const EXPORT_TARGET_MS = 500;
const pgAdminUrl = process.env.VOW_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Event i (in time order) belongs to a person when the running share of persons' events steps up there: exactly PER_PERSON each. */
const personSlot = (i) => {
  const before = Math.floor((i * REAL) / EVENTS);
  return Math.floor(((i + 1) * REAL) / EVENTS) > before ? before % PEOPLE : -1;
};
const msOf = (i) => START_MS + Math.floor((i * DAYS * 86_400_000) / EVENTS);
const otherSubjectId = (n) => `sub_${String(n).padStart(22, '0')}`;
/** Other subjects' events hold an opaque string of the length of a sealed event (never decrypted here). */
const OPAQUE = `v1.${'A'.repeat(236)}`;
const PATHS = ['/', '/robots', '/robots/model-x', '/pricing', '/support', '/blog/spring-update'];

function realRow(person, i) {
  const ms = msOf(i);
  const at = new Date(ms).toISOString();
  // As the collector names them: `evt_`, 12 hex digits of milliseconds, 10 random characters.
  const id = `evt_${ms.toString(16).padStart(12, '0')}${randomBytes(8).toString('base64url').slice(0, 10)}`;
  const data = {
    path: PATHS[i % PATHS.length],
    features: ['search'],
    timeZone: 'Europe/Paris',
    device: { browser: 'Firefox', browserVersion: '128.0', os: 'Linux', deviceType: 'desktop' },
  };
  // One event a row: events scattered over weeks share no request, the most rows 10,000 events can make.
  return [id, person.visitorSubjectId, 'usage-data', i % 7 === 0 ? 'action' : 'page_view', at, at, 'FR', sealEvents(person.dataKey, id, [{ occurredAt: at, ...data }], randomBytes(12))];
}

/** The people, made through Vow: account, message, visitor with consents, linked. */
async function seedPeople(vault, declaration) {
  const at = new Date(START_MS - 86_400_000);
  const bannerHash = [...bannerHashesOf(declaration)][0] ?? 'none';
  const cookieIds = declaration.cookies.map((group) => group.id);
  const people = [];
  for (let n = 0; n < PEOPLE; n += 1) {
    const email = `bench.person${n}@example.com`;
    const name = `Bench Person ${n}`;
    const { subjectId } = await createAccount(vault, { fields: { email, name, birthDate: '1988-02-03' }, actor: 'bench', now: at });
    await recordCommunication(vault, { fields: { email, name, message: `Question ${n} about my robot's warranty` }, source: 'contact-form', actor: 'bench', now: at });
    const visitorId = newVisitorId();
    const visitor = await vault.db.transaction().execute(async (trx) => {
      const handle = await createSubject(vault, trx, { kind: 'visitor', identifiers: [{ kind: 'visitor', value: visitorId }], now: at.toISOString(), region: 'FR' });
      for (const [k, granted] of [cookieIds.slice(0, 1), cookieIds].entries()) {
        const unsealed = {
          id: `con_${randomBytes(16).toString('base64url')}`,
          subjectId: handle.id,
          policyVersion: 1,
          granted,
          refused: cookieIds.filter((id) => !granted.includes(id)),
          source: 'banner',
          gpc: false,
          dnt: false,
          recordedAt: new Date(at.getTime() + k * 60_000).toISOString(),
          bannerHash,
        };
        await insertConsentRecord(trx, { ...unsealed, proof: consentProof(unsealed) });
      }
      return handle;
    });
    await linkVisitor(vault, { subjectId, visitorId, actor: 'bench', now: at });
    people.push({ subjectId, visitorSubjectId: visitor.id, dataKey: visitor.dataKey });
  }
  return people;
}

/** SQLite: prepared statements in large transactions, the events' secondary indexes dropped and rebuilt from the migrations' own SQL. */
function fillSqlite(file, people) {
  const { db, finish } = openForBulkLoad(file);
  const insertSubject = db.prepare("insert into subjects (id, kind, region, created_at, last_activity_at, closed_at) values (?, 'visitor', null, ?, ?, null)");
  const insertEvent = db.prepare('insert into events (id, subject_id, category, name, occurred_at, received_at, country, data) values (?, ?, ?, ?, ?, ?, ?, ?)');
  const created = new Date(START_MS).toISOString();
  db.transaction(() => {
    for (let n = 0; n < OTHER_SUBJECTS; n += 1) insertSubject.run(otherSubjectId(n), created, created);
  })();
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i += 1) {
      const slot = personSlot(i);
      if (slot >= 0) {
        insertEvent.run(...realRow(people[slot], i));
      } else {
        const ms = msOf(i);
        const at = new Date(ms).toISOString();
        insertEvent.run(`evt_${ms.toString(16).padStart(12, '0')}o${String(i).padStart(9, '0')}`, otherSubjectId((i * 7919) % OTHER_SUBJECTS), 'usage-data', 'page_view', at, at, 'US', OPAQUE);
      }
    }
  });
  for (let from = 0; from < EVENTS; from += 100_000) batch(from, Math.min(EVENTS, from + 100_000));
  finish({ analyze: true });
}

/** PostgreSQL: the other subjects' events by INSERT … SELECT from generate_series, the people's by unnest of arrays, chunk by chunk in time order. */
async function fillPostgres(db, people) {
  const created = new Date(START_MS).toISOString();
  await sql`insert into subjects (id, kind, region, created_at, last_activity_at, closed_at)
    select 'sub_' || lpad(g::text, 22, '0'), 'visitor', null, ${created}, ${created}, null from generate_series(0, ${OTHER_SUBJECTS - 1}) g`.execute(db);
  const CHUNK = 10_000;
  for (let from = 0; from < EVENTS; from += CHUNK) {
    const to = Math.min(EVENTS, from + CHUNK);
    const columns = Array.from({ length: 8 }, () => []);
    for (let i = from; i < to; i += 1) {
      const slot = personSlot(i);
      if (slot >= 0) realRow(people[slot], i).forEach((value, c) => columns[c].push(value));
    }
    // The same rule as personSlot, in SQL: a row for another subject where the persons' share does not step up.
    await sql`insert into events (id, subject_id, category, name, occurred_at, received_at, country, data)
      select 'evt_' || lpad(to_hex(ms), 12, '0') || 'o' || lpad(g::text, 9, '0'), 'sub_' || lpad(((g * 7919) % ${OTHER_SUBJECTS})::text, 22, '0'),
             'usage-data', 'page_view', at, at, 'US', ${OPAQUE}
      from generate_series(${from}::bigint, ${to - 1}::bigint) g,
           lateral (select ${START_MS}::bigint + (g * ${DAYS * 86_400_000}::bigint) / ${EVENTS} as ms) m,
           lateral (select to_char(to_timestamp(ms / 1000.0) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at) t
      where ((g + 1) * ${REAL}) / ${EVENTS} = (g * ${REAL}) / ${EVENTS}`.execute(db);
    await sql`insert into events (id, subject_id, category, name, occurred_at, received_at, country, data)
      select * from unnest(${columns[0]}::text[], ${columns[1]}::text[], ${columns[2]}::text[], ${columns[3]}::text[], ${columns[4]}::text[], ${columns[5]}::text[], ${columns[6]}::text[], ${columns[7]}::text[])`.execute(db);
  }
  await sql`vacuum analyze`.execute(db);
}

/** Every timed operation starts from the same state: the log emptied into the database (SQLite), a fresh checkpoint (PostgreSQL). */
async function settle(db, dialect) {
  if (dialect === 'sqlite') await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  else await sql`checkpoint`.execute(db);
  globalThis.gc?.();
}

async function bareDelete(db, subjectId) {
  const started = performance.now();
  let statementMs = 0;
  let rows = 0;
  await db.transaction().execute(async (trx) => {
    const result = await sql`delete from events where subject_id = ${subjectId}`.execute(trx);
    rows = Number(result.numAffectedRows ?? 0);
    statementMs = performance.now() - started;
  });
  const ms = performance.now() - started;
  return { ms, statementMs, commitMs: ms - statementMs, rows };
}

async function countEvents(db, subjectId) {
  const row = await db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).where('subject_id', '=', subjectId).executeTakeFirstOrThrow();
  return Number(row.n);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const describe = (values) => `median ${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;

/** Seeds, then alternates the three measurements round by round; throws when a result is not what it must be. */
async function measure(store, vault, dialect, fill) {
  const { declaration } = vault;
  let started = performance.now();
  const people = await seedPeople(vault, declaration);
  const seedMs = performance.now() - started;
  started = performance.now();
  store = await fill(people);
  const fillMs = performance.now() - started;
  vault = { ...vault, db: store.db };
  const total = Number((await sql`select count(*) as n from events`.execute(store.db)).rows[0].n);
  if (total !== EVENTS) throw new Error(`expected ${EVENTS} events, found ${total}`);

  const bares = [];
  const erasures = [];
  const purges = [];
  const exports = [];
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      const [bareOne, eraseOne, exportOne] = people.slice(round * 3, round * 3 + 3);
      if ((await countEvents(store.db, bareOne.visitorSubjectId)) !== PER_PERSON || (await countEvents(store.db, eraseOne.visitorSubjectId)) !== PER_PERSON) {
        throw new Error('a person does not have its 10,000 events');
      }

      await settle(store.db, dialect);
      const bare = await bareDelete(store.db, bareOne.visitorSubjectId);
      if (bare.rows !== PER_PERSON) throw new Error(`the bare delete removed ${bare.rows} rows`);
      bares.push(bare);

      await settle(store.db, dialect);
      started = performance.now();
      const outcome = await eraseSubject(vault, { subjectId: eraseOne.subjectId, actor: 'bench', reason: 'request' });
      erasures.push(performance.now() - started);
      // The events, unreadable once the key is gone, are deleted by the purge the erasure started.
      await settlePurge(store.db);
      purges.push(performance.now() - started);
      if (!outcome.erased || (await countEvents(store.db, eraseOne.visitorSubjectId)) !== 0) throw new Error('the erasure left events behind');

      await settle(store.db, dialect);
      started = performance.now();
      const result = await exportSubject(vault, { subjectId: exportOne.subjectId, actor: 'bench' });
      const ms = performance.now() - started;
      const files = unzipSync(result.zip);
      const events = JSON.parse(Buffer.from(files['events.json']).toString('utf8'));
      const account = JSON.parse(Buffer.from(files['account.json']).toString('utf8'));
      if (events.length !== PER_PERSON || account[0]?.email !== `bench.person${round * 3 + 2}@example.com`) throw new Error('the export is missing data');
      const unzipped = Object.values(files).reduce((sum, data) => sum + data.length, 0);
      exports.push({ ms, zipped: result.zip.length, unzipped, files: Object.keys(files).length });
    }
  } finally {
    await store.close();
  }
  return { seedMs, fillMs, bares, erasures, purges, exports };
}

function report(dialect, result) {
  const bareMs = result.bares.map((bare) => bare.ms);
  const eraseMs = result.erasures;
  const exportMs = result.exports.map((one) => one.ms);
  const last = result.exports.at(-1);
  const ratio = (values) => (median(bareMs) / median(values)).toFixed(2);
  return [
    `${dialect}: ${PEOPLE} people seeded through Vow in ${(result.seedMs / 1000).toFixed(1)} s; ${EVENTS.toLocaleString('en')} events inserted in ${(result.fillMs / 1000).toFixed(1)} s`,
    `${dialect}: bare indexed delete of 10,000 events (one transaction): ${describe(bareMs)}; statement ${describe(result.bares.map((bare) => bare.statementMs))}, commit ${describe(result.bares.map((bare) => bare.commitMs))}`,
    `${dialect}: erasure (account and linked visitor: keys destroyed, every table but events emptied, proofs, audit, recipients queued): ${describe(eraseMs)} (target < ${ERASE_TARGET_MS} ms: ${median(eraseMs) < ERASE_TARGET_MS ? 'met' : 'MISSED'})`,
    `${dialect}: until the purge has deleted the 10,000 events too (500 a transaction, from the erasure's start): ${describe(result.purges)}`,
    `${dialect}: access export (10,000 events decrypted, JSON + CSV, zipped, audited): ${describe(exportMs)}, ${(last.zipped / 1e6).toFixed(1)} MB zipped, ${(last.unzipped / 1e6).toFixed(1)} MB in ${last.files} files (target < ${EXPORT_TARGET_MS} ms: ${median(exportMs) < EXPORT_TARGET_MS ? 'met' : 'MISSED'})`,
    `${dialect}: ratios (bare delete time / request time, medians): erasure ${ratio(eraseMs)}, export ${ratio(exportMs)}; the erasure takes ${(median(eraseMs) / median(bareMs)).toFixed(1)}× the bare delete`,
  ];
}

async function onSqlite(declaration) {
  const dir = mkdtempSync(join(tmpdir(), 'vow-bench-requests-'));
  try {
    const first = await openStore({ dataDir: dir, databaseUrl: undefined });
    const vault = await openVault({ db: first.db, dataDir: dir, masterKeys: undefined, declaration });
    const result = await measure(first, vault, 'sqlite', async (people) => {
      await first.close();
      fillSqlite(join(dir, 'vow.db'), people);
      return openStore({ dataDir: dir, databaseUrl: undefined });
    });
    return report('SQLite', result);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function reachable(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function onPostgres(declaration) {
  if (!(await reachable(pgAdminUrl))) return [`PostgreSQL: skipped, not reachable at ${pgAdminUrl} (set VOW_BENCH_POSTGRES_URL)`];
  const name = `vow_bench_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(pgAdminUrl);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'vow-bench-requests-'));
  try {
    const store = await openStore({ dataDir: dir, databaseUrl: url.toString() });
    const vault = await openVault({ db: store.db, dataDir: dir, masterKeys: undefined, declaration });
    const result = await measure(store, vault, 'postgres', async (people) => {
      await fillPostgres(store.db, people);
      return store;
    });
    return report('PostgreSQL', result);
  } finally {
    const cleanup = new pg.Client({ connectionString: pgAdminUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function requestsBench() {
  const { declaration } = await loadDeclaration(examplePolicyFile);
  const lines = [...(await onSqlite(declaration)), ...(await onPostgres(declaration))];
  return {
    name: `requests: erasure and access export of a subject with ${PER_PERSON.toLocaleString('en')} events among ${EVENTS.toLocaleString('en')}, beside a bare indexed delete of such a subject's events (${ROUNDS} alternating rounds, median and range)`,
    lines,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await requestsBench();
  console.log(`\n## ${result.name}`);
  for (const line of result.lines) console.log(`  ${line}`);
}
