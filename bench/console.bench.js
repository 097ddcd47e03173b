// The console (issue 15), on SQLite and on PostgreSQL:
// - its first load: the gzip size of the JavaScript the page loads before anything is
//   clicked (the entry and what it preloads; chunks loaded later, the QR code's, apart),
//   against a budget of 200 kB;
// - with 10,000 requests and 100,000 subjects in the store, a page of the request queue
//   (the first, and one 5,000 deep by its cursor) and a search by e-mail, each through the
//   real route (auth, validation, the blind index, the audit record of the search, JSON),
//   beside the bare indexed select of the same page or identifier on the same database in
//   the same run. Target: each under 100 ms.
//
// Run: npm run build && node --expose-gc bench/console.bench.js   (or npm run bench)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { gzipSync } from 'node:zlib';
import { pathToFileURL, URL } from 'node:url';
import pg from 'pg';
import { createVow } from '../dist/app.js';
import { issueApiKey } from '../dist/auth/api-key.js';
import { examplePolicyFile, loadConfig } from '../dist/config.js';
import { blindIndex } from '../dist/vault/blind-index.js';

const REQUESTS = 10_000;
const SUBJECTS = 100_000;
const RUNS = 200;
const PG_ADMIN = process.env.VOW_BENCH_POSTGRES_URL ?? process.env.VOW_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const consoleDir = new URL('../dist/console/', import.meta.url);

/** The gzip size of every script the console's page loads at once. */
function firstLoad() {
  const page = readFileSync(new URL('index.html', consoleDir), 'utf8');
  const scripts = [...page.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\/console\/([^"]+\.js)"/g)].map((match) => match[1]);
  const sizes = scripts.map((file) => ({ file, raw: readFileSync(new URL(file, consoleDir)).length, gz: gzipSync(readFileSync(new URL(file, consoleDir)), { level: 9 }).length }));
  return { scripts: sizes, gz: sizes.reduce((sum, size) => sum + size.gz, 0), raw: sizes.reduce((sum, size) => sum + size.raw, 0) };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function timed(run) {
  for (let i = 0; i < 20; i += 1) await run(i);
  const times = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  return median(times);
}

async function postgresDatabase() {
  const admin = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `vow_bench_console_${randomBytes(6).toString('hex')}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = new pg.Client({ connectionString: PG_ADMIN });
      await again.connect();
      await again.query(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}

const emailOf = (i) => `person${i}@bench.example`;

/** 100,000 account subjects, each with its key and its e-mail's blind index; 10,000 requests, due over a year. */
async function fill(vow) {
  const db = vow.store.db;
  const now = Date.now();
  const at = new Date(now).toISOString();
  for (let start = 0; start < SUBJECTS; start += 2_000) {
    const ids = Array.from({ length: 2_000 }, (_, k) => [start + k, `sub_${randomBytes(16).toString('base64url').slice(0, 22)}`]);
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('subjects').values(ids.map(([, id]) => ({ id, kind: 'account', region: 'FR', created_at: at, last_activity_at: at, closed_at: null }))).execute();
      await trx.insertInto('subject_keys').values(ids.map(([, id]) => ({ subject_id: id, wrapped: randomBytes(60).toString('base64'), master_key_id: 'bench', created_at: at }))).execute();
      await trx.insertInto('subject_identifiers').values(ids.map(([i, id]) => ({ kind: 'email', blind_index: blindIndex(vow.vault.blindKey, 'email', emailOf(i)), subject_id: id }))).execute();
    });
  }
  const statuses = ['unverified', 'open', 'completed', 'denied', 'completed'];
  for (let start = 0; start < REQUESTS; start += 1_000) {
    const rows = Array.from({ length: 1_000 }, (_, k) => {
      const i = start + k;
      const received = now - (i % 365) * 86_400_000;
      return {
        id: `req_${randomBytes(16).toString('base64url').slice(0, 22)}`,
        kind: 'access',
        status: statuses[i % statuses.length],
        subject_id: null,
        address_hash: randomBytes(32).toString('hex'),
        sealed_with: 'requests',
        data: null,
        jurisdiction: 'gdpr',
        received_at: new Date(received).toISOString(),
        due_at: new Date(received + 30 * 86_400_000).toISOString(),
        extended_at: null,
        verified_at: null,
        verification: null,
        filed_by: 'public',
        closed_at: null,
        outcome: null,
        reminded_at: null,
        claimed_at: null,
        completion: null,
      };
    });
    await db.insertInto('requests').values(rows).execute();
  }
}

async function measure(label, env) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vow-bench-console-'));
  const vow = await createVow(loadConfig({ VOW_DATA_DIR: dataDir, VOW_POLICY: examplePolicyFile, LOG_LEVEL: 'silent', ...env }));
  try {
    await fill(vow);
    const db = vow.store.db;
    const key = (await issueApiKey(db, { role: 'privacy-officer', purposes: [], actor: 'bench' })).secret;
    const headers = { authorization: `Bearer ${key}` };
    const call = async (options) => {
      const answer = await vow.server.inject({ ...options, headers: { ...headers, ...options.headers } });
      if (answer.statusCode !== 200) throw new Error(`${options.url}: ${answer.statusCode} ${answer.body}`);
      return answer;
    };
    // The cursor 5,000 requests deep, as a person paging would reach it.
    const deep = await db.selectFrom('requests').select(['due_at', 'id']).orderBy('due_at').orderBy('id').offset(4_999).limit(1).executeTakeFirstOrThrow();
    const cursor = Buffer.from(JSON.stringify([deep.due_at, deep.id]), 'utf8').toString('base64url');

    const firstPage = await timed(() => call({ method: 'GET', url: '/v1/requests?limit=50' }));
    const bareFirst = await timed(() => db.selectFrom('requests').selectAll().orderBy('due_at').orderBy('id').limit(50).execute());
    const deepPage = await timed(() => call({ method: 'GET', url: `/v1/requests?limit=50&after=${cursor}` }));
    const bareDeep = await timed(() =>
      db.selectFrom('requests').selectAll().where((eb) => eb.or([eb('due_at', '>', deep.due_at), eb.and([eb('due_at', '=', deep.due_at), eb('id', '>', deep.id)])])).orderBy('due_at').orderBy('id').limit(50).execute(),
    );
    const openPage = await timed(() => call({ method: 'GET', url: '/v1/requests?limit=50&status=open' }));
    const bareOpen = await timed(() => db.selectFrom('requests').selectAll().where('status', '=', 'open').orderBy('due_at').orderBy('id').limit(50).execute());
    const search = await timed((i) => call({ method: 'POST', url: '/v1/subjects/search', payload: { email: emailOf((i * 7919) % SUBJECTS) } }));
    const bareSearch = await timed((i) => db.selectFrom('subject_identifiers').select('subject_id').where('kind', '=', 'email').where('blind_index', '=', blindIndex(vow.vault.blindKey, 'email', emailOf((i * 7919) % SUBJECTS))).executeTakeFirst());
    const line = (what, route, bare) => `${label}: ${what}: ${route.toFixed(2)} ms through the route, ${bare.toFixed(2)} ms bare (${(route / bare).toFixed(1)}×)${route < 100 ? '' : '  OVER 100 ms'}`;
    return [
      line('the queue, first page of 50', firstPage, bareFirst),
      line('the queue, a page 5,000 deep', deepPage, bareDeep),
      line('the open requests, first page', openPage, bareOpen),
      line('a search by e-mail among 100,000', search, bareSearch),
    ];
  } finally {
    await vow.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function consoleBench() {
  const load = firstLoad();
  const lines = [
    `first load: ${(load.gz / 1024).toFixed(1)} kB gz of JavaScript (${(load.raw / 1024).toFixed(1)} kB raw, ${load.scripts.length} file${load.scripts.length === 1 ? '' : 's'}); budget 200 kB${load.gz <= 200 * 1024 ? ': met' : ': OVER'}`,
  ];
  lines.push(...(await measure('SQLite', { DATABASE_URL: '' })));
  const postgres = await postgresDatabase();
  if (postgres) {
    try {
      lines.push(...(await measure('PostgreSQL', { DATABASE_URL: postgres.url })));
    } finally {
      await postgres.drop();
    }
  } else {
    lines.push(`PostgreSQL: skipped, not reachable at ${PG_ADMIN}`);
  }
  return { name: `The console: first load, and the queue and search with ${REQUESTS.toLocaleString('en')} requests and ${SUBJECTS.toLocaleString('en')} subjects`, lines };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await consoleBench();
  console.log(`## ${result.name}`);
  for (const line of result.lines) console.log(`  ${line}`);
}
