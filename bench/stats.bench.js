// A statistics release over one million events (per-subject grouping and contribution
// bounds in one SQL statement, suppression, exact discrete Laplace noise, charging the
// budget, storing and auditing the release) against a bare GROUP BY of the same rows by
// country and day on a prepared better-sqlite3 statement, in the same run on the same file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { openForBulkLoad } from './bulk-load.js';
import { examplePolicyFile } from '../dist/config.js';
import { loadDeclaration } from '../dist/policy/load-declaration.js';
import { parseReleaseQuery } from '../dist/stats/release-query.js';
import { releaseStatistics } from '../dist/stats/release-statistics.js';
import { openStore } from '../dist/store/open-store.js';

const EVENTS = 1_000_000;
const SUBJECTS = 20_000;
const DAYS = 91;
const ROUNDS = 3;
const TARGET_MS = 2000;
/** Countries with uneven weights, so that some cells are small. */
const COUNTRIES = [
  ['US', 30], ['FR', 12], ['DE', 12], ['GB', 10], ['IL', 8], ['CA', 6], ['JP', 5], ['BR', 4], ['IN', 4], ['ES', 3],
  ['IT', 2], ['NL', 1], ['SE', 1], ['IS', 1], ['LU', 1],
];

/** A small deterministic generator (xorshift32), so every run inserts the same rows. */
function generator(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

function fill(file) {
  const { db, finish } = openForBulkLoad(file);
  const next = generator(2026);
  const weighted = COUNTRIES.flatMap(([country, weight]) => Array.from({ length: weight }, () => country));
  const subjects = Array.from({ length: SUBJECTS }, (_, i) => `sub_${String(i).padStart(22, '0')}`);
  const homes = subjects.map(() => weighted[next() % weighted.length]);
  const start = Date.UTC(2026, 7, 24);
  const insertSubject = db.prepare("insert into subjects (id, kind, region, created_at, last_activity_at, closed_at) values (?, 'visitor', null, ?, ?, null)");
  const insertEvent = db.prepare("insert into events (id, subject_id, category, name, occurred_at, received_at, country, data) values (?, ?, 'usage-data', ?, ?, ?, ?, '{}')");
  db.transaction(() => {
    for (const id of subjects) insertSubject.run(id, '2026-08-01T00:00:00.000Z', '2026-08-01T00:00:00.000Z');
  })();
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i += 1) {
      const s = next() % SUBJECTS;
      // Events arrive in time order over the 91 days, each from a random subject, with ids
      // that grow with that time as Vow's collector makes them (`evt_`, 12 hex digits of
      // milliseconds, 10 random characters).
      const ms = start + Math.floor((i * DAYS * 86_400_000) / EVENTS);
      const at = new Date(ms).toISOString();
      const id = `evt_${ms.toString(16).padStart(12, '0')}${String(next()).padStart(10, '0').slice(0, 10)}`;
      // One event in twenty is seen from another country (travel, VPN).
      const country = next() % 20 === 0 ? weighted[next() % weighted.length] : homes[s];
      insertEvent.run(id, subjects[s], next() % 10 === 0 ? 'action' : 'page_view', at, at, country);
    }
  });
  for (let from = 0; from < EVENTS; from += 100_000) batch(from, Math.min(EVENTS, from + 100_000));
  finish();
}

function bareQuery(file) {
  const db = new SQLite(file, { readonly: true });
  // The same settings as Vow's store: a helper thread for large sorts, reads through a memory map.
  db.pragma('threads = 2');
  db.pragma('mmap_size = 268435456');
  const statement = db.prepare('select country, substr(occurred_at, 1, 10) as day, count(*) as n from events group by country, substr(occurred_at, 1, 10)');
  const started = performance.now();
  const rows = statement.all();
  const ms = performance.now() - started;
  db.close();
  return { ms, cells: rows.length };
}

async function release(store, declaration) {
  const query = parseReleaseQuery({ dimensions: ['country', 'week'], epsilon: '0.1' });
  const started = performance.now();
  const result = await releaseStatistics(store.db, { query, declaration, actor: 'bench' });
  return { ms: performance.now() - started, cells: result.cells.length, suppressed: result.suppressed };
}

/** Alternates the two measurements and keeps each one's best round. */
export async function statsBench() {
  const dir = mkdtempSync(join(tmpdir(), 'vow-bench-stats-'));
  try {
    // Vow's own migrations make the tables and indexes.
    await (await openStore({ dataDir: dir, databaseUrl: undefined })).close();
    const file = join(dir, 'vow.db');
    let started = performance.now();
    fill(file);
    const fillMs = performance.now() - started;

    const { declaration } = await loadDeclaration(examplePolicyFile);
    const store = await openStore({ dataDir: dir, databaseUrl: undefined });
    const bares = [];
    const releases = [];
    try {
      bareQuery(file); // warm the page cache for both
      for (let round = 0; round < ROUNDS; round += 1) {
        bares.push(bareQuery(file));
        releases.push(await release(store, declaration));
      }
    } finally {
      await store.close();
    }
    const bare = bares.reduce((a, b) => (b.ms < a.ms ? b : a));
    const best = releases.reduce((a, b) => (b.ms < a.ms ? b : a));
    return {
      name: `stats, a release over ${EVENTS.toLocaleString('en')} events of ${SUBJECTS.toLocaleString('en')} subjects on SQLite (best of ${ROUNDS} alternating rounds)`,
      lines: [
        `insert (prepared statements, not timed against anything): ${(fillMs / 1000).toFixed(1)} s`,
        `bare query (country × day GROUP BY, prepared): ${bare.ms.toFixed(0)} ms, ${bare.cells} groups`,
        `release (country × week, bounded, suppressed, noised, stored, audited): ${best.ms.toFixed(0)} ms, ${best.cells} cells, ${best.suppressed} suppressed (target < ${TARGET_MS} ms: ${best.ms < TARGET_MS ? 'met' : 'MISSED'})`,
        `ratio (bare query time / release time, as the other benchmarks): ${(bare.ms / best.ms).toFixed(2)}; the release takes ${(best.ms / bare.ms).toFixed(1)}× the bare query`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
