// Event ingestion over real HTTP on 127.0.0.1. Three servers answer the same payloads:
//   - bare Fastify, parsing the JSON and answering 202 (the ceiling of one Node process here);
//   - raw better-sqlite3 inserts of the same rows, no HTTP: prepared multi-row statements,
//     one transaction per batch, the same grouping and AES-256-GCM sealing, and the same
//     pragmas as Vow (WAL, synchronous=NORMAL, foreign keys) (the storage ceiling);
//   - Vow (createVow from dist/app.js, per-address limit off, log level at its default):
//     validation, consent check, device parsing, sealing and storage on SQLite, as shipped.
// Each server runs in a child process of its own (one core), autocannon in this one (the
// other core). Single events and batches of 20; then one million events through Vow, with
// the server's RSS before and after. Every load phase is bounded in time.
//
// Run: npm run build && node bench/ingest.bench.js   (or npm run bench for all benchmarks)
import { fork } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PHASE_SECONDS = 5;
const WARMUP_SECONDS = 1;
const ROUNDS = 2;
const CONNECTIONS = 64;
/** Visitors with consent whose events are sent (each has its own key and index entries). */
const ACTIVE_VISITORS = 64;
const BATCH = 20;
const MILLION = 1_000_000;
/** Each phase of the million-event run is sized to take half this at the rate last seen. */
const MAX_PHASE_SECONDS = 10;
const RAW_SECONDS = 4;

const androidChrome = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const headers = {
  'content-type': 'application/json',
  'user-agent': androidChrome,
  'sec-ch-ua': '"Google Chrome";v="124", "Chromium";v="124", "Not-A.Brand";v="99"',
  'sec-ch-ua-platform': '"Android"',
  'sec-ch-ua-mobile': '?1',
};
const zeroDrops = { 'no-consent': 0, 'signal-opt-out': 0, 'unknown-visitor': 0, 'undeclared-category': 0, 'undeclared-field': 0 };

/** The i-th event of a batch: page views, actions and analytics, as the SDK sends them. */
function eventOf(i, occurredAt) {
  if (i % 4 === 3) return { category: 'analytics', name: 'action', action: 'signup-click', occurredAt };
  return { category: 'usage-data', name: 'page_view', path: `/docs/page-${i}?utm_source=newsletter`, features: ['dark-mode'], timeZone: 'Europe/Paris', occurredAt };
}

function payloads(visitors, size) {
  const occurredAt = new Date().toISOString();
  return visitors.map((visitorId) => JSON.stringify({ visitorId, events: Array.from({ length: size }, (_, i) => eventOf(i, occurredAt)) }));
}

// ---------------------------------------------------------------------------------------
// Child processes: one server each.

async function serveBare() {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
  app.post('/v1/events', async (request, reply) => reply.code(202).send({ accepted: request.body.events.length, dropped: zeroDrops, undeclaredFields: [] }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: app.server.address().port, visitors: Array.from({ length: ACTIVE_VISITORS }, (_, i) => `vis_${String(i).padStart(22, 'A')}`) };
}

async function serveVow(dir) {
  const { createVow } = await import('../dist/app.js');
  const { loadConfig } = await import('../dist/config.js');
  const { recordConsent } = await import('../dist/consent/record-consent.js');
  // The log level as in production (info); POST /v1/events writes no access log at that level.
  const vow = await createVow(loadConfig({ VOW_DATA_DIR: dir }), { eventsRateLimit: false });
  const visitors = [];
  for (let i = 0; i < ACTIVE_VISITORS; i += 1) {
    const decision = await recordConsent(vow.vault, {
      granted: ['analytics'],
      refused: ['advertising'],
      source: 'api',
      policyVersion: vow.publication.version.number,
      bannerHash: '0'.repeat(64),
      signals: { gpc: false, dnt: false },
    });
    visitors.push(decision.visitorId);
  }
  const probe = await vow.server.inject({ method: 'POST', url: '/v1/events', headers, payload: payloads(visitors, 1)[0] });
  if (probe.statusCode !== 202) {
    throw new Error(`createVow does not serve POST /v1/events (answered ${probe.statusCode}): wire the ingestor in src/app.ts (see events.routes.ts)`);
  }
  await vow.server.listen({ port: 0, host: '127.0.0.1' });
  return { port: vow.server.server.address().port, visitors, close: () => vow.close() };
}

async function child(kind, dir) {
  const served = kind === 'vow' ? await serveVow(dir) : await serveBare();
  process.on('message', async (message) => {
    if (message === 'memory') {
      globalThis.gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      const { user, system } = process.cpuUsage();
      process.send({ rss, heapUsed, cpuMicros: user + system });
    } else if (message === 'stop') {
      await served.close?.();
      process.exit(0);
    }
  });
  process.send({ port: served.port, visitors: served.visitors });
}

// ---------------------------------------------------------------------------------------
// This process: the load, and the raw baseline.

function startServer(kind, dir) {
  // The servers' logs (Vow's start-up and job lines, at the default level) would interleave with the results.
  const server = fork(fileURLToPath(import.meta.url), ['--serve', kind, dir], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const replies = [];
  const waiting = [];
  let exited;
  server.on('message', (message) => (waiting.length > 0 ? waiting.shift().resolve(message) : replies.push(message)));
  server.on('exit', (code) => {
    exited = new Error(`the ${kind} server exited with code ${code}`);
    for (const waiter of waiting.splice(0)) waiter.reject(exited);
  });
  const next = () =>
    new Promise((resolve, reject) => {
      if (replies.length > 0) resolve(replies.shift());
      else if (exited) reject(exited);
      else waiting.push({ resolve, reject });
    });
  return {
    ready: next(),
    /** RSS and heap after a collection, and CPU time used so far. */
    memory: () => {
      server.send('memory');
      return next();
    },
    stop: () =>
      new Promise((resolve) => {
        if (exited) return resolve();
        server.once('exit', resolve);
        server.send('stop');
      }),
  };
}

async function load(port, bodies, options) {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    ...options,
    requests: bodies.map((body) => ({ method: 'POST', path: '/v1/events', headers, body })),
  });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`load failed: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`);
  }
  return { requests: result.requests.total, seconds: result.duration, perSecond: result.requests.total / result.duration };
}

/**
 * A warm-up, then the measured phase. Besides the rate: the server's CPU time per request,
 * which the other processes on a shared machine disturb less. `events` counts both phases.
 */
async function measure(server, port, visitors, size) {
  const bodies = payloads(visitors, size);
  const warmup = await load(port, bodies, { duration: WARMUP_SECONDS });
  const before = await server.memory();
  const measured = await load(port, bodies, { duration: PHASE_SECONDS });
  const after = await server.memory();
  return { ...measured, cpuPerRequest: (after.cpuMicros - before.cpuMicros) / measured.requests, events: (warmup.requests + measured.requests) * size };
}

async function acceptedSoFar(port) {
  const text = await (await globalThis.fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(/^vow_events_accepted_total\{[^}]*\} (\d+)/gm)) total += Number(match[1]);
  return total;
}

function seal(key, text, aad) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(text), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/**
 * The rows Vow writes for the same events, through prepared statements, one transaction
 * per batch: as Vow does, the events of a batch that share category and name (and hour)
 * share a row, sealed together (collect/group-events.ts).
 */
async function rawInserts(dir, size) {
  const { default: SQLite } = await import('better-sqlite3');
  const { openStore } = await import('../dist/store/open-store.js');
  // The same schema, indexes included: Vow's own migrations make the baseline's tables.
  await (await openStore({ dataDir: dir, databaseUrl: undefined })).close();
  const db = new SQLite(join(dir, 'vow.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const subjects = Array.from({ length: ACTIVE_VISITORS }, () => ({ id: `sub_${randomBytes(16).toString('base64url')}`, key: randomBytes(32) }));
  const now = new Date().toISOString();
  const addSubject = db.prepare("insert into subjects (id, kind, region, created_at, last_activity_at, closed_at) values (?, 'visitor', null, ?, ?, null)");
  for (const subject of subjects) addSubject.run(subject.id, now, now);
  const { groupEvents } = await import('../dist/collect/group-events.js');
  const groupsOf = (events) => groupEvents(events, (event) => event.occurredAt);
  const rowsPerBatch = groupsOf(Array.from({ length: size }, (_, i) => eventOf(i, now))).length;
  const insert = db.prepare(
    `insert into events (id, subject_id, category, name, occurred_at, received_at, country, data, event_count) values ${Array(rowsPerBatch).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
  );
  const device = { browser: 'Chrome', browserVersion: '124', os: 'Android', deviceType: 'mobile' };
  const batch = db.transaction((subject, nowMs) => {
    const at = new Date(nowMs).toISOString();
    const values = [];
    for (const group of groupsOf(Array.from({ length: size }, (_, i) => eventOf(i, at)))) {
      const id = `evt_${nowMs.toString(16).padStart(12, '0')}${randomBytes(8).toString('base64url').slice(0, 10)}`;
      const events = group.events.map(({ event }) =>
        event.category === 'usage-data'
          ? { occurredAt: at, path: event.path.split('?')[0], features: event.features, timeZone: event.timeZone, device }
          : { occurredAt: at, action: event.action },
      );
      values.push(id, subject.id, group.category, group.name, group.occurredAt, at, null, seal(subject.key, JSON.stringify(events), id), events.length);
    }
    insert.run(values);
  });
  let events = 0;
  const started = performance.now();
  while (performance.now() - started < RAW_SECONDS * 1000) {
    batch(subjects[events % subjects.length], Date.now());
    events += size;
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { events, perSecond: events / seconds };
}

export async function ingestBench() {
  const dir = mkdtempSync(join(tmpdir(), 'vow-bench-ingest-'));
  const lines = [];
  const int = (n) => Math.round(n).toLocaleString('en-US');
  const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const servers = [];
  try {
    const bare = startServer('bare', join(dir, 'bare'));
    const vow = startServer('vow', join(dir, 'vow'));
    servers.push(bare, vow);
    const bareAt = await bare.ready;
    const vowAt = await vow.ready;

    const rawSingle = await rawInserts(join(dir, 'raw-1'), 1);
    const rawBatch = await rawInserts(join(dir, 'raw-20'), BATCH);
    const storedBefore = await acceptedSoFar(vowAt.port);

    // Alternating rounds, keeping each one's best, so that a burst of noise does not decide a ratio.
    const best = { bare: {}, vow: {} };
    let sent = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const size of [1, BATCH]) {
        for (const [name, server, at] of [['bare', bare, bareAt], ['vow', vow, vowAt]]) {
          const result = await measure(server, at.port, at.visitors, size);
          if (name === 'vow') sent += result.events;
          if (!best[name][size] || result.perSecond > best[name][size].perSecond) best[name][size] = result;
        }
      }
    }
    const stored = (await acceptedSoFar(vowAt.port)) - storedBefore;
    await bare.stop();

    // One million events in batches of 20, in phases of at most MAX_PHASE_SECONDS each.
    const start = await vow.memory();
    const bodies = payloads(vowAt.visitors, BATCH);
    const samples = [];
    let events = 0;
    let seconds = 0;
    let rate = best.vow[BATCH].perSecond;
    let longest = 0;
    while (events < MILLION) {
      // A fixed amount overrides autocannon's duration: sized for half the bound at the last rate seen.
      const amount = Math.max(1, Math.min(Math.ceil((MILLION - events) / BATCH), Math.floor((rate * MAX_PHASE_SECONDS) / 2)));
      const phase = await load(vowAt.port, bodies, { amount });
      longest = Math.max(longest, phase.seconds);
      events += phase.requests * BATCH;
      seconds += phase.seconds;
      rate = phase.perSecond;
      samples.push((await vow.memory()).rss);
    }
    const end = await vow.memory();
    await vow.stop();

    const single = { bare: best.bare[1], vow: best.vow[1] };
    const batch = { bare: best.bare[BATCH], vow: best.vow[BATCH] };
    const us = (micros) => `${Math.round(micros)} µs`;
    lines.push(
      `raw SQLite (same rows and sealing, prepared, no HTTP): ${int(rawSingle.perSecond)} events/s one per transaction; ${int(rawBatch.perSecond)} events/s ${BATCH} per transaction`,
      `bare Fastify: ${int(single.bare.perSecond)} req/s single (server CPU ${us(single.bare.cpuPerRequest)}/request); ${int(batch.bare.perSecond)} req/s batches of ${BATCH} = ${int(batch.bare.perSecond * BATCH)} events/s`,
      `Vow single events: ${int(single.vow.perSecond)} req/s (server CPU ${us(single.vow.cpuPerRequest)}/request); ratio to bare ${(single.vow.perSecond / single.bare.perSecond).toFixed(2)} (target ≥ 0.50)`,
      `Vow batches of ${BATCH}: ${int(batch.vow.perSecond)} req/s = ${int(batch.vow.perSecond * BATCH)} events/s (target ≥ 60,000; server CPU ${us(batch.vow.cpuPerRequest / BATCH)}/event); ` +
        `ratio to raw SQLite ${((batch.vow.perSecond * BATCH) / rawBatch.perSecond).toFixed(2)}, to bare ${(batch.vow.perSecond / batch.bare.perSecond).toFixed(2)}`,
      `stored ${int(stored)} events for ${int(sent)} counted as sent (autocannon does not count the requests in flight when a phase ends)`,
      `one million events in ${samples.length} phases (longest ${longest.toFixed(1)} s): ${int(events / seconds)} events/s; server RSS ${mb(start.rss)} before, after each phase ${samples.map(mb).join(', ')}; ` +
        `heap ${mb(start.heapUsed)} before, ${mb(end.heapUsed)} after`,
    );
    return { name: `event ingestion over HTTP: ${CONNECTIONS} connections, ${ACTIVE_VISITORS} consented visitors, SQLite (best of ${ROUNDS} alternating rounds)`, lines };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

const serving = process.argv.indexOf('--serve');
if (serving !== -1) {
  await child(process.argv[serving + 1], process.argv[serving + 2]);
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await ingestBench();
  console.log(`\n## ${result.name}`);
  for (const line of result.lines) console.log(`  ${line}`);
}
