import { readFileSync, writeFileSync } from 'node:fs';
import { parseCheckpoint, signCheckpoint, verifyAgainstCheckpoint } from '../audit/audit-checkpoint.js';
import { verifyAudit, type AuditVerdict } from '../audit/verify-audit.js';
import type { Config } from '../config.js';
import { loadSigningKey } from '../disclosures/signing-key.js';
import { VowError } from '../errors.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';
import { withVault } from './with-vault.js';

function report(verdict: AuditVerdict, io: Io, against: string): number {
  if (verdict.ok) {
    io.out(`OK ${verdict.count} records, head sha256:${verdict.head}${against}`);
    return 0;
  }
  io.err(`BROKEN at record ${verdict.seq}: ${verdict.reason}`);
  return 1;
}

/** `vow audit verify [--checkpoint FILE]`: the chain alone, or the chain against a signed checkpoint kept outside the database. */
export async function auditVerifyCommand(config: Config, io: Io, options: { checkpoint?: string } = {}): Promise<number> {
  const file = options.checkpoint;
  if (file === undefined) {
    const store = await openStore(config);
    try {
      return report(await verifyAudit(store.db), io, '');
    } finally {
      await store.close();
    }
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new VowError('bad_request', `cannot read the checkpoint file ${file}`);
  }
  const checkpoint = parseCheckpoint(text);
  return withVault(config, io, async (vault) => {
    const signing = await loadSigningKey(vault.db, vault.keyring);
    return report(await verifyAgainstCheckpoint(vault.db, checkpoint, signing.publicKeyPem), io, `, checkpoint of ${checkpoint.at} (record ${checkpoint.seq}) holds`);
  });
}

/** `vow audit checkpoint [--out FILE]`: signs the head now, once the chain verifies. */
export async function auditCheckpointCommand(config: Config, io: Io, options: { out?: string } = {}): Promise<number> {
  return withVault(config, io, async (vault) => {
    const checkpoint = await signCheckpoint(vault.db, await loadSigningKey(vault.db, vault.keyring));
    const json = `${JSON.stringify(checkpoint, null, 2)}\n`;
    if (options.out === undefined) io.out(json.trimEnd());
    else {
      writeFileSync(options.out, json, { mode: 0o644 });
      io.out(`checkpoint of record ${checkpoint.seq} written to ${options.out}`);
    }
    return 0;
  });
}
