/**
 * `vow restore FILE`: replaces every table's rows with the backup's, in one transaction.
 * Erasure survives it: the live database's proofs of erasure are read first and kept
 * with the backup's, and every erasure they record is applied again (rows deleted, the
 * data key destroyed), so a subject erased after the backup was taken stays erased.
 * The restore itself is audited on the restored chain.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import { sha256Hex } from '../canonical-json.js';
import { applyErasure } from '../erasure/apply-erasure.js';
import { allErasures, insertErasure, subjectExists, type ErasureProof } from '../erasure/erasure.repository.js';
import { purgeErasedSubjects } from '../erasure/purge-erased.js';
import { VowError } from '../errors.js';
import type { Store } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import { checkReadableFile } from './backup-file.js';
import { appliedMigrations, backupTables, deleteAllRows, insertRows, type Row, type TableInfo } from './backup.repository.js';
import { Header, Line } from './backup-format.js';
import { sum } from './write-backup.js';

const BATCH = 100;

export interface RestoreResult {
  backupCreatedAt: string;
  counts: Record<string, number>;
  /** Erasures applied again: made after the backup was taken, or kept back then by nothing that still holds. */
  erasuresReapplied: number;
}

export async function restoreBackup(store: Store, options: { file: string; actor: string; now?: Date }): Promise<RestoreResult> {
  const now = options.now ?? new Date();
  await checkReadableFile(options.file);
  const result = await store.db.transaction().execute(async (trx) => {
    const liveErasures = await allErasures(trx);
    const liveMigrations = new Set(await appliedMigrations(trx));
    const tables = await backupTables(trx, store.dialect);
    for (const table of [...tables].reverse()) await deleteAllRows(trx, table.name);

    const { header, counts, hash } = await loadInto(trx, options.file, tables, liveMigrations);

    const restored = new Set((await allErasures(trx)).map((proof) => proof.id));
    for (const proof of liveErasures) if (!restored.has(proof.id)) await insertErasure(trx, proof);
    const erasuresReapplied = await reapplyErasures(trx, await allErasures(trx));

    await appendAudit(
      trx,
      {
        actor: options.actor,
        action: 'backup.restored',
        target: `backup:${header.createdAt}`,
        data: { sha256: hash, rows: sum(counts), erasuresReapplied, erasuresKept: liveErasures.length },
      },
      now,
    );
    return { backupCreatedAt: header.createdAt, counts, erasuresReapplied };
  });
  // A backup taken while an erasure's purge was under way holds its tombstone: finish it now.
  await purgeErasedSubjects(store.db);
  return result;
}

async function loadInto(
  trx: Kysely<Database>,
  file: string,
  tables: readonly TableInfo[],
  liveMigrations: ReadonlySet<string>,
): Promise<{ header: Header; counts: Record<string, number>; hash: string }> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let header: Header | undefined;
  let current: { name: string; columns: string[] } | undefined;
  let batch: Row[] = [];
  const counts: Record<string, number> = {};
  let ended: Record<string, number> | undefined;
  let number = 0;
  const hashes: string[] = [];
  const flush = async () => {
    if (current && batch.length > 0) await insertRows(trx, current.name, batch);
    batch = [];
  };
  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    hashes.push(sha256Hex(text));
    const json = parseJson(text, number);
    if (!header) {
      const parsed = Header.safeParse(json);
      if (!parsed.success) throw new VowError('bad_request', `${file} is not a Vow backup (line 1)`);
      header = parsed.data;
      const missing = header.migrations.filter((name) => !liveMigrations.has(name));
      if (missing.length > 0) throw new VowError('bad_request', `the backup comes from a newer Vow (migrations ${missing.join(', ')}): upgrade before restoring`);
      continue;
    }
    if (ended) throw new VowError('bad_request', `line ${number}: data after the end of the backup`);
    const parsed = Line.safeParse(json);
    if (!parsed.success) throw new VowError('bad_request', `line ${number}: not a backup line`);
    const line = parsed.data;
    if ('table' in line) {
      await flush();
      const live = tables.find((table) => table.name === line.table);
      if (!live) throw new VowError('bad_request', `line ${number}: table ${line.table} does not exist here`);
      const unknown = line.columns.filter((column) => !live.columns.includes(column));
      if (unknown.length > 0) throw new VowError('bad_request', `line ${number}: ${line.table} has no columns ${unknown.join(', ')} here`);
      current = { name: line.table, columns: line.columns };
      counts[line.table] = 0;
    } else if ('row' in line) {
      if (!current) throw new VowError('bad_request', `line ${number}: a row before any table`);
      if (line.row.length !== current.columns.length) throw new VowError('bad_request', `line ${number}: ${line.row.length} values for ${current.columns.length} columns`);
      const columns = current.columns;
      batch.push(Object.fromEntries(columns.map((column, index) => [column, line.row[index] ?? null])));
      counts[current.name] = (counts[current.name] ?? 0) + 1;
      if (batch.length >= BATCH) await flush();
    } else {
      await flush();
      ended = line.counts;
    }
  }
  if (!header) throw new VowError('bad_request', `${file} is empty`);
  if (!ended) throw new VowError('bad_request', `${file} is truncated: its last line is missing`);
  for (const [table, count] of Object.entries(ended)) {
    if ((counts[table] ?? 0) !== count) throw new VowError('bad_request', `${file}: ${table} should have ${count} rows, found ${counts[table] ?? 0}`);
  }
  return { header, counts, hash: sha256Hex(hashes.join('\n')) };
}

function parseJson(text: string, number: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new VowError('bad_request', `line ${number}: not JSON`);
  }
}

/**
 * Every proof's erasure applied again to whatever the restore brought back. What a hold
 * kept at the time stays kept (`["*"]`: everything), as the proof recorded it.
 */
async function reapplyErasures(trx: Kysely<Database>, proofs: readonly ErasureProof[]): Promise<number> {
  let reapplied = 0;
  const latest = new Map<string, ErasureProof>();
  for (const proof of proofs) latest.set(proof.subjectId, proof);
  for (const proof of latest.values()) {
    if (proof.heldCategories.includes('*') || !(await subjectExists(trx, proof.subjectId))) continue;
    // A restore runs offline: everything goes now, in its transaction, with no purge to wait for.
    await applyErasure(trx, proof.subjectId, { all: false, categories: proof.heldCategories }, { deferLargeTables: false });
    reapplied += 1;
  }
  return reapplied;
}
