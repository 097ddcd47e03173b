// Reads off the primary (issue 16, item 6): what moving the lagging reads to a streaming
// replica frees on the primary. A primary and a standby of it are made for the run
// (test/support/replica.ts's way: pg_createcluster, pg_basebackup -R; needs root), 2,000
// requests are filed, then the same 300 report reads (the queue, the overview, the records
// of processing) run against a Vow on the primary alone and against one with
// DATABASE_READ_URL, in the same run; the primary's own counters (pg_stat_database) say
// how many transactions and rows it served for them.
//
// Run: npm run build && node --expose-gc bench/replica.bench.js   (or npm run bench)
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { createVow } from '../dist/app.js';
import { issueApiKey } from '../dist/auth/api-key.js';
import { examplePolicyFile, loadConfig } from '../dist/config.js';

const run = promisify(execFile);
const READS = 300;
const REQUESTS = 2_000;

async function query(url, text) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

async function pair() {
  const version = readdirSync('/etc/postgresql').sort().at(-1);
  const tag = `${process.pid}`;
  const [primary, standby] = [`vowbp${tag}`, `vowbs${tag}`];
  const port = 40_000 + (process.pid % 10_000);
  const drop = async () => {
    for (const name of [standby, primary]) await run('pg_dropcluster', ['--stop', version, name]).catch(() => undefined);
  };
  await run('pg_createcluster', [version, primary, '--port', String(port), '--', '--auth=trust']);
  await run('sh', ['-c', `echo "host replication all 127.0.0.1/32 trust" >> /etc/postgresql/${version}/${primary}/pg_hba.conf`]);
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, primary, 'start']);
  await run('pg_createcluster', [version, standby, '--port', String(port + 1)]);
  const data = `/var/lib/postgresql/${version}/${standby}`;
  await run('sh', ['-c', `find ${data} -mindepth 1 -delete && su postgres -c "pg_basebackup -h 127.0.0.1 -p ${port} -D ${data} -R -X stream"`]);
  await run('sh', ['-c', `cp /etc/postgresql/${version}/${primary}/pg_hba.conf /etc/postgresql/${version}/${standby}/pg_hba.conf`]);
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, standby, 'start']);
  return { primaryUrl: `postgres://postgres@127.0.0.1:${port}/postgres`, replicaUrl: `postgres://postgres@127.0.0.1:${port + 1}/postgres`, drop };
}

/** The primary's served transactions and rows so far (its counters flush about once a second). */
async function served(url) {
  await sleep(1_500);
  const [row] = await query(url, "select xact_commit + xact_rollback as xacts, tup_returned + tup_fetched as tuples from pg_stat_database where datname = 'postgres'");
  return { xacts: Number(row.xacts), tuples: Number(row.tuples) };
}

async function reportsOn(env, primaryUrl, key) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vow-bench-replica-'));
  const vow = await createVow(loadConfig({ VOW_DATA_DIR: dataDir, VOW_POLICY: examplePolicyFile, LOG_LEVEL: 'silent', ...env }));
  try {
    const headers = { authorization: `Bearer ${key ?? (await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'bench' })).secret}` };
    const before = await served(primaryUrl);
    const started = performance.now();
    for (let i = 0; i < READS; i += 1) {
      const url = ['/v1/requests?limit=50', '/v1/overview', '/v1/ropa'][i % 3];
      const answer = await vow.server.inject({ method: 'GET', url, headers });
      if (answer.statusCode !== 200) throw new Error(`${url}: ${answer.statusCode}`);
    }
    const ms = performance.now() - started;
    const after = await served(primaryUrl);
    return { ms, xacts: after.xacts - before.xacts, tuples: after.tuples - before.tuples, vow, dataDir };
  } catch (error) {
    await vow.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export async function replicaBench() {
  const name = 'Reads off the primary: a streaming replica for reports and lists';
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/pg_createcluster')) return { name, lines: ['skipped: needs root and pg_createcluster'] };
  const clusters = await pair();
  try {
    // The data: a store on the primary with 2,000 requests, replicated to the standby.
    const dataDir = mkdtempSync(join(tmpdir(), 'vow-bench-replica-'));
    const seed = await createVow(loadConfig({ VOW_DATA_DIR: dataDir, VOW_POLICY: examplePolicyFile, LOG_LEVEL: 'silent', DATABASE_URL: clusters.primaryUrl }));
    const key = (await issueApiKey(seed.store.db, { role: 'privacy-officer', purposes: [], actor: 'bench' })).secret;
    const at = new Date().toISOString();
    await seed.store.db
      .insertInto('requests')
      .values(Array.from({ length: REQUESTS }, (_, i) => ({ id: `req_${String(i).padStart(22, '0')}`, kind: 'access', status: i % 3 === 0 ? 'open' : 'completed', subject_id: null, address_hash: null, sealed_with: 'requests', data: null, jurisdiction: 'gdpr', received_at: at, due_at: at, extended_at: null, verified_at: null, verification: null, filed_by: 'public', closed_at: null, outcome: null, reminded_at: null, claimed_at: null, completion: null })))
      .execute();
    await seed.close();
    const alone = await reportsOn({ DATABASE_URL: clusters.primaryUrl, VOW_DATA_DIR: dataDir }, clusters.primaryUrl, key);
    await alone.vow.close();
    const offloaded = await reportsOn({ DATABASE_URL: clusters.primaryUrl, DATABASE_READ_URL: clusters.replicaUrl, VOW_DATA_DIR: dataDir }, clusters.primaryUrl, key);
    await offloaded.vow.close();
    rmSync(dataDir, { recursive: true, force: true });
    const line = (label, figures) => `${label}: the primary served ${figures.xacts.toLocaleString('en')} transactions and read ${figures.tuples.toLocaleString('en')} rows for ${READS} report reads (${(figures.ms / READS).toFixed(2)} ms a read)`;
    return {
      name,
      lines: [
        line('primary alone', alone),
        line('with DATABASE_READ_URL', offloaded),
        `moved off the primary: ${(100 * (1 - offloaded.tuples / Math.max(1, alone.tuples))).toFixed(0)} % of the rows read, ${(100 * (1 - offloaded.xacts / Math.max(1, alone.xacts))).toFixed(0)} % of the transactions (the rest: authentication, which decides access, and the server's own jobs, both on the primary by design)`,
      ],
    };
  } finally {
    await clusters.drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await replicaBench();
  console.log(`## ${result.name}`);
  for (const line of result.lines) console.log(`  ${line}`);
}
