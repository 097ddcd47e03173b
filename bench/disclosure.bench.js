// A disclosure of 10,000 subjects' accounts to a declared recipient (checked against the
// declaration, keys unwrapped, every field decrypted, JSON lines hashed into a signed
// manifest, one accounting row per subject, a transfer recorded for each subject collected
// outside the recipient's country, audited) against a bare prepared better-sqlite3 query
// reading the same rows (the records and the wrapped keys), in the same run on the same file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { examplePolicyFile } from '../dist/config.js';
import { disclose } from '../dist/disclosures/disclose.js';
import { loadSigningKey } from '../dist/disclosures/signing-key.js';
import { loadDeclaration } from '../dist/policy/load-declaration.js';
import { openStore } from '../dist/store/open-store.js';
import { openVault } from '../dist/vault/open-vault.js';
import { createSubject, storeRecord } from '../dist/vault/subject-store.js';

const SUBJECTS = 10_000;
const ROUNDS = 3;

/** Accounts written through the vault (a data key each, three sealed fields), half of them collected in France. */
async function seed(vault) {
  const ids = [];
  const at = new Date('2026-11-01T00:00:00Z').toISOString();
  for (let start = 0; start < SUBJECTS; start += 1000) {
    await vault.db.transaction().execute(async (trx) => {
      for (let i = start; i < Math.min(SUBJECTS, start + 1000); i += 1) {
        const subject = await createSubject(vault, trx, { kind: 'account', identifiers: [{ kind: 'email', value: `person${i}@example.com` }], now: at, region: i % 2 === 0 ? 'FR' : 'US' });
        await storeRecord(trx, subject, { category: 'account', source: 'api', fields: { email: `person${i}@example.com`, name: `Person Number ${i}`, birthDate: '1990-01-01' }, now: at });
        ids.push(subject.id);
      }
    });
  }
  return ids;
}

function bareQuery(file) {
  const db = new SQLite(file, { readonly: true });
  const statement = db.prepare(
    "select r.subject_id, r.id, r.collected_at, r.data, k.wrapped from vault_records r join subject_keys k on k.subject_id = r.subject_id where r.category = 'account' order by r.subject_id",
  );
  const started = performance.now();
  const rows = statement.all();
  const ms = performance.now() - started;
  db.close();
  return { ms, rows: rows.length };
}

export async function disclosureBench() {
  const dir = mkdtempSync(join(tmpdir(), 'vow-bench-disclosure-'));
  try {
    const { declaration } = await loadDeclaration(examplePolicyFile);
    const store = await openStore({ dataDir: dir, databaseUrl: undefined });
    const bares = [];
    const runs = [];
    try {
      const vault = await openVault({ db: store.db, dataDir: dir, masterKeys: undefined, declaration });
      const signing = await loadSigningKey(store.db, vault.keyring);
      const ids = await seed(vault);
      const hosting = declaration.recipients.find((recipient) => recipient.service === 'hosting').id;
      bareQuery(join(dir, 'vow.db')); // warm the page cache for both
      for (let round = 0; round < ROUNDS; round += 1) {
        bares.push(bareQuery(join(dir, 'vow.db')));
        const started = performance.now();
        const result = await disclose(vault, signing, { recipient: hosting, categories: ['account'], purpose: 'provide-services', subjects: { ids }, actor: 'bench' });
        runs.push({ ms: performance.now() - started, lines: result.lines.length });
      }
    } finally {
      await store.close();
    }
    const bare = bares.reduce((a, b) => (b.ms < a.ms ? b : a));
    const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
    return {
      name: `disclosure of ${SUBJECTS.toLocaleString('en')} subjects on SQLite (best of ${ROUNDS} alternating rounds)`,
      lines: [
        `bare query (the same records and wrapped keys, prepared): ${bare.ms.toFixed(0)} ms, ${bare.rows} rows`,
        `disclosure (checked, decrypted, packaged, signed, accounted for, transfers recorded, audited): ${best.ms.toFixed(0)} ms, ${best.lines} subjects, ${((best.ms * 1000) / SUBJECTS).toFixed(0)} µs a subject`,
        `ratio (bare query time / disclosure time, as the other benchmarks): ${(bare.ms / best.ms).toFixed(3)}; the disclosure takes ${(best.ms / bare.ms).toFixed(1)}× the bare query`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
