/** The frame of every command that works on the vault: the declaration (its warnings shown), the store, the vault, and the store closed however the work ends. */
import type { Config } from '../config.js';
import { formatProblem } from '../errors.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { openStore } from '../store/open-store.js';
import { openVault } from '../vault/open-vault.js';
import type { VaultContext } from '../vault/vault-context.js';
import type { Io } from './io.js';

export async function withVault(config: Config, io: Io, work: (vault: VaultContext) => Promise<number>): Promise<number> {
  const { declaration, warnings } = await loadDeclaration(config.policyFile);
  for (const warning of warnings) io.err(`warning: ${formatProblem(warning, config.policyFile)}`);
  const store = await openStore(config);
  try {
    return await work(await openVault({ db: store.db, dataDir: config.dataDir, masterKeys: config.masterKeys, declaration }));
  } finally {
    await store.close();
  }
}
