// Consent at volume (issue 16, item 2), on SQLite: first decisions of new visitors, each
// from an address of its own (as real visitors come, so the per-address limit is not what
// is measured), 64 at a time, through `POST /v1/consent` in-process (Fastify's inject: validation, the
// banner and version checks, a new subject with its own wrapped key and blind-indexed
// visitor id, the sealed consent record with its proof, the audit append with the head's
// seal, one transaction) against the same rows written raw in the same run: prepared
// better-sqlite3 statements on a file made by Vow's migrations, the same AES-GCM wrap,
// HMAC index, SHA-256 proof and chained audit hash, one transaction a decision.
// Target (the issue): 0.50 of the raw rate, and 10,000 decisions/s or more.
//
// Run: npm run build && node --expose-gc bench/consent.bench.js   (or npm run bench)
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import { createVow } from '../dist/app.js';
import { examplePolicyFile, loadConfig } from '../dist/config.js';

const N = 3_000;
const IN_FLIGHT = 64;

const addressOf = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function throughVow(dir) {
  const vow = await createVow(loadConfig({ VOW_DATA_DIR: dir, VOW_POLICY: examplePolicyFile, LOG_LEVEL: 'silent' }));
  try {
    const banner = (await vow.server.inject({ method: 'GET', url: '/v1/consent/banner?lang=en' })).json();
    const body = JSON.stringify({ granted: ['analytics'], refused: ['advertising'], source: 'banner', policyVersion: banner.policyVersion, bannerHash: banner.bannerHash });
    const decide = async (i) => {
      const answer = await vow.server.inject({ method: 'POST', url: '/v1/consent', headers: { 'content-type': 'application/json' }, payload: body, remoteAddress: addressOf(i) });
      if (answer.statusCode !== 201) throw new Error(`POST /v1/consent answered ${answer.statusCode}: ${answer.body}`);
    };
    // 64 visitors deciding at once, as a busy site's do; each answered only once its decision is committed.
    const wave = async (from, count) => {
      for (let i = from; i < from + count; i += IN_FLIGHT) await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, from + count - i) }, (_, k) => decide(i + k)));
    };
    await wave(1_000_000, 200);
    const started = performance.now();
    await wave(0, N);
    return N / ((performance.now() - started) / 1000);
  } finally {
    await vow.close();
  }
}

function raw(dir) {
  const db = new SQLite(join(dir, 'vow.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const master = randomBytes(32);
  const indexKey = randomBytes(32);
  const headKey = randomBytes(32);
  const insertSubject = db.prepare('insert into subjects (id, kind, region, created_at, last_activity_at, closed_at) values (?, ?, ?, ?, ?, ?)');
  const insertKey = db.prepare('insert into subject_keys (subject_id, wrapped, master_key_id, created_at) values (?, ?, ?, ?)');
  const insertIdentifier = db.prepare('insert into subject_identifiers (kind, blind_index, subject_id) values (?, ?, ?)');
  const insertConsent = db.prepare(
    'insert into consent_records (id, subject_id, policy_version, granted, refused, source, gpc, dnt, recorded_at, banner_hash, proof, region, consent_model) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const claim = db.prepare('update audit_head set seq = seq + 1 where id = 1 returning seq, hash');
  const insertAudit = db.prepare('insert into audit_log (seq, at, actor, action, target, data, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?)');
  const moveHead = db.prepare('update audit_head set hash = ?, mac = ?, mac_key_id = ? where id = 1');
  const decide = db.transaction(() => {
    const at = new Date().toISOString();
    const subjectId = `sub_${randomBytes(16).toString('base64url')}`;
    const dataKey = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', master, iv);
    const wrapped = Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]).toString('base64');
    const visitor = `vis_${randomBytes(16).toString('base64url')}`;
    insertSubject.run(subjectId, 'visitor', null, at, at, null);
    insertKey.run(subjectId, wrapped, 'bench', at);
    insertIdentifier.run('visitor', createHmac('sha256', indexKey).update(`visitor\0${visitor}`).digest('hex'), subjectId);
    const id = `con_${randomBytes(16).toString('base64url')}`;
    const proof = createHash('sha256').update(JSON.stringify({ id, subjectId, policyVersion: 1, granted: ['analytics'], refused: ['advertising'], source: 'banner', gpc: false, dnt: false, recordedAt: at, bannerHash: '0'.repeat(64) })).digest('hex');
    insertConsent.run(id, subjectId, 1, '["analytics"]', '["advertising"]', 'banner', 0, 0, at, '0'.repeat(64), proof, null, 'opt-in');
    const head = claim.get();
    const data = JSON.stringify({ record: id, granted: 'analytics', refused: 'advertising', source: 'banner', gpc: false, dnt: false });
    const hash = createHash('sha256').update(JSON.stringify({ seq: head.seq, at, actor: 'public', action: 'consent.recorded', target: `subject:${subjectId}`, data, prevHash: head.hash })).digest('hex');
    insertAudit.run(head.seq, at, 'public', 'consent.recorded', `subject:${subjectId}`, data, head.hash, hash);
    moveHead.run(hash, createHmac('sha256', headKey).update(`${head.seq}\0${hash}`).digest('hex'), 'bench');
  });
  for (let i = 0; i < 200; i += 1) decide();
  const started = performance.now();
  for (let i = 0; i < N; i += 1) decide();
  const perSecond = N / ((performance.now() - started) / 1000);
  db.close();
  return perSecond;
}

export async function consentBench() {
  const root = mkdtempSync(join(tmpdir(), 'vow-bench-consent-'));
  try {
    const vowRate = await throughVow(join(root, 'vow'));
    // A file made by Vow's migrations, for the raw writes of the same rows.
    const schemaOnly = await createVow(loadConfig({ VOW_DATA_DIR: join(root, 'raw'), VOW_POLICY: examplePolicyFile, LOG_LEVEL: 'silent' }));
    await schemaOnly.close();
    const rawRate = raw(join(root, 'raw'));
    const int = (n) => Math.round(n).toLocaleString('en-US');
    return {
      name: `Consent at volume: ${N.toLocaleString('en')} first decisions of new visitors on SQLite`,
      lines: [
        `POST /v1/consent (in-process inject, an address per visitor, ${IN_FLIGHT} at a time, decisions sharing commits): ${int(vowRate)} decisions/s`,
        `the same rows raw (prepared statements, same crypto, one transaction a decision): ${int(rawRate)} decisions/s`,
        `ratio ${(vowRate / rawRate).toFixed(2)} (target ≥ 0.50; and ≥ 10,000 decisions/s: ${vowRate >= 10_000 ? 'met' : 'not met'})`,
      ],
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await consentBench();
  console.log(`## ${result.name}`);
  for (const line of result.lines) console.log(`  ${line}`);
}
