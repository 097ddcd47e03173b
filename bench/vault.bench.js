// The vault path (validation, blind-index lookup, a fresh data key wrapped by the master
// key, three AES-256-GCM fields, the audit append, all through the typed builder) against
// the raw cost of the same cryptography plus prepared better-sqlite3 inserts and selects of
// the same rows (subject, key, identifier, record, and an audit row for each create and each
// read, as Vow audits both), one transaction per account.
import { createCipheriv, createDecipheriv, createHmac, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { loadDeclaration } from '../dist/policy/load-declaration.js';
import { openStore } from '../dist/store/open-store.js';
import { createAccount } from '../dist/vault/create-account.js';
import { openVault } from '../dist/vault/open-vault.js';
import { readSubjectData } from '../dist/vault/read-subject-data.js';
import { examplePolicyFile } from '../dist/config.js';

const N = 2000;
const account = (i) => ({ email: `person${i}@example.com`, name: `Person Number ${i}`, birthDate: '1990-01-01' });

function seal(key, text, aad) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(text), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}
function unseal(key, sealed, aad) {
  const bytes = Buffer.from(sealed.slice(3), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
}

async function vaultRun(dir) {
  const { declaration } = await loadDeclaration(examplePolicyFile);
  const store = await openStore({ dataDir: join(dir, 'vow'), databaseUrl: undefined });
  const vault = await openVault({ db: store.db, dataDir: join(dir, 'vow'), masterKeys: undefined, declaration });
  const ids = [];
  let started = performance.now();
  for (let i = 0; i < N; i += 1) ids.push((await createAccount(vault, { fields: account(i), actor: 'bench' })).subjectId);
  const createMs = performance.now() - started;
  started = performance.now();
  for (const subjectId of ids) {
    const data = await readSubjectData(vault, { subjectId, purpose: 'communicate', actor: 'bench', readerMayUsePurpose: true });
    if (data.categories.length !== 1) throw new Error('account not read back');
  }
  const readMs = performance.now() - started;
  await store.close();
  return { createMs, readMs };
}

async function rawRun(dir) {
  // The same schema, indexes included: Vow's own migrations make the baseline's tables.
  await (await openStore({ dataDir: join(dir, 'raw'), databaseUrl: undefined })).close();
  const db = new SQLite(join(dir, 'raw', 'vow.db'));
  db.pragma('journal_mode = WAL');
  const master = randomBytes(32);
  const blindKey = randomBytes(32);
  const statements = {
    subject: db.prepare('insert into subjects (id, kind, region, created_at, last_activity_at, closed_at) values (?, ?, null, ?, ?, null)'),
    key: db.prepare('insert into subject_keys (subject_id, wrapped, master_key_id, created_at) values (?, ?, ?, ?)'),
    identifier: db.prepare('insert into subject_identifiers (kind, blind_index, subject_id) values (?, ?, ?)'),
    record: db.prepare("insert into vault_records (id, subject_id, category, source, collected_at, updated_at, data) values (?, ?, ?, 'api', ?, ?, ?)"),
    audit: db.prepare("insert into audit_log (seq, at, actor, action, target, data, prev_hash, hash) values (?, ?, 'bench', 'account.created', ?, ?, ?, ?)"),
    claim: db.prepare('update audit_head set seq = seq + 1 where id = 1 returning seq, hash'),
    head: db.prepare('update audit_head set hash = ? where id = 1'),
    readKey: db.prepare('select wrapped from subject_keys where subject_id = ?'),
    readRecords: db.prepare('select id, data from vault_records where subject_id = ? and category = ?'),
  };
  // The same audit writes as Vow's: claim the head row, insert the record, move the head.
  const audit = (target) => {
    const { seq, hash: prev } = statements.claim.get();
    const at = new Date().toISOString();
    const data = JSON.stringify({ record: target });
    const hash = createHash('sha256').update(JSON.stringify({ at, data, prev, seq, target })).digest('hex');
    statements.audit.run(seq, at, target, data, prev, hash);
    statements.head.run(hash);
  };
  const create = db.transaction((i) => {
    const id = `sub_${randomBytes(16).toString('base64url')}`;
    const recordId = `rec_${randomBytes(16).toString('base64url')}`;
    const dataKey = randomBytes(32);
    const at = new Date().toISOString();
    const fields = account(i);
    statements.subject.run(id, 'account', at, at);
    statements.key.run(id, seal(master, dataKey, `vow:key:${id}`), 'k', at);
    statements.identifier.run('email', createHmac('sha256', blindKey).update(`email\0${fields.email}`).digest('base64url'), id);
    const data = JSON.stringify(Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, seal(dataKey, value, `${recordId}\0${name}`)])));
    statements.record.run(recordId, id, 'account', at, at, data);
    audit(`subject:${id}`);
    return id;
  });
  const ids = [];
  let started = performance.now();
  for (let i = 0; i < N; i += 1) ids.push(create(i));
  const createMs = performance.now() - started;
  // Vow audits every read, so the baseline writes the same audit row per read.
  const readBack = db.transaction((id) => {
    const dataKey = unseal(master, statements.readKey.get(id).wrapped, `vow:key:${id}`);
    for (const row of statements.readRecords.all(id, 'account')) {
      const sealed = JSON.parse(row.data);
      for (const [name, value] of Object.entries(sealed)) unseal(dataKey, value, `${row.id}\0${name}`);
    }
    audit(`subject:${id}`);
  });
  started = performance.now();
  for (const id of ids) readBack(id);
  const readMs = performance.now() - started;
  db.close();
  return { createMs, readMs };
}

const ROUNDS = 3;

/** Alternates the two runs and keeps each one's best round, so a burst of noise does not decide the ratio. */
export async function vaultBench() {
  const dir = mkdtempSync(join(tmpdir(), 'vow-bench-'));
  try {
    const best = (runs) => ({ createMs: Math.min(...runs.map((r) => r.createMs)), readMs: Math.min(...runs.map((r) => r.readMs)) });
    const vaultRuns = [];
    const rawRuns = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      vaultRuns.push(await vaultRun(join(dir, `vault-${round}`)));
      rawRuns.push(await rawRun(join(dir, `raw-${round}`)));
    }
    const vault = best(vaultRuns);
    const raw = best(rawRuns);
    const perSecond = (ms) => Math.round((N / ms) * 1000);
    const total = (run) => run.createMs + run.readMs;
    return {
      name: `vault, ${N} accounts on SQLite (best of ${ROUNDS} alternating rounds)`,
      lines: [
        `create: ${perSecond(vault.createMs)} accounts/s; baseline (same crypto + prepared inserts) ${perSecond(raw.createMs)}/s; ratio ${(raw.createMs / vault.createMs).toFixed(2)}`,
        `read back: ${perSecond(vault.readMs)} accounts/s; baseline (same decryption + prepared selects) ${perSecond(raw.readMs)}/s; ratio ${(raw.readMs / vault.readMs).toFixed(2)}`,
        `create and read back: ratio ${(total(raw) / total(vault)).toFixed(2)} (target ≥ 0.50)`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
