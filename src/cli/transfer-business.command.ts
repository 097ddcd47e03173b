import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileOwnerOnly } from '../backup/backup-file.js';
import type { Config } from '../config.js';
import { disclose } from '../disclosures/disclose.js';
import { loadSigningKey } from '../disclosures/signing-key.js';
import { VowError } from '../errors.js';
import { openStore } from '../store/open-store.js';
import { openVault } from '../vault/open-vault.js';
import { declarationInForce } from './declaration-in-force.js';
import type { Io } from './io.js';

/**
 * `vow transfer-business --to ACQUIRER --out DIR`: the full export a business transfer
 * needs (section 3, "Business Transfers"), for each category and purpose the declaration
 * lets the acquirer receive, recorded as a disclosure of every subject concerned. The
 * folder holds personal data in the clear and is written owner-only.
 */
export async function transferBusinessCommand(config: Config, io: Io, options: { to: string; out: string }): Promise<number> {
  const store = await openStore(config);
  try {
    const declaration = await declarationInForce(store.db, config, io);
    const acquirer = declaration.recipients.find((recipient) => recipient.id === options.to);
    if (acquirer?.kind !== 'business-transfer') {
      const declared = declaration.recipients.filter((recipient) => recipient.kind === 'business-transfer').map((recipient) => recipient.id);
      throw new VowError('bad_request', `"${options.to}" is not a declared business-transfer recipient (declared: ${declared.join(', ') || 'none'})`);
    }
    const vault = await openVault({ db: store.db, dataDir: config.dataDir, masterKeys: config.masterKeys, masterKeyFile: config.masterKeyFile, declaration });
    const signing = await loadSigningKey(store.db, vault.keyring);
    mkdirSync(options.out, { recursive: true, mode: 0o700 });
    // An existing folder keeps its mode on mkdir: the export holds every subject's data in the clear.
    chmodSync(options.out, 0o700);
    await writeFileOwnerOnly(join(options.out, 'signing-key.pem'), signing.publicKeyPem);
    for (const [index, receipt] of acquirer.receives.entries()) {
      for (const purpose of receipt.purposes) {
        const result = await disclose(vault, signing, {
          recipient: acquirer.id,
          categories: receipt.categories,
          purpose,
          subjects: { holding: true },
          kind: 'business-transfer',
          actor: 'cli',
        });
        const base = join(options.out, `${index + 1}-${purpose}`);
        await writeFileOwnerOnly(`${base}.jsonl`, result.lines.map((line) => `${line}\n`).join(''));
        await writeFileOwnerOnly(`${base}.manifest.json`, `${JSON.stringify({ ...result.manifest, manifestHash: result.manifestHash, signature: result.signature }, null, 2)}\n`);
        io.out(`${result.manifest.disclosureId}: ${result.lines.length} subjects, ${receipt.categories.join(', ')} for ${purpose} → ${base}.jsonl`);
      }
    }
    return 0;
  } finally {
    await store.close();
  }
}
