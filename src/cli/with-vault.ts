/** The frame of every command that works on the vault: the store, the vault under the policy in force, and the store closed however the work ends. */
import type { Config } from '../config.js';
import { sealLegacyDetails } from '../disclosures/seal-legacy-details.js';
import { openStore } from '../store/open-store.js';
import { openVault } from '../vault/open-vault.js';
import type { VaultContext } from '../vault/vault-context.js';
import { declarationInForce } from './declaration-in-force.js';
import type { Io } from './io.js';

export async function withVault(config: Config, io: Io, work: (vault: VaultContext) => Promise<number>): Promise<number> {
  const store = await openStore(config);
  try {
    const declaration = await declarationInForce(store.db, config, io);
    const vault = await openVault({ db: store.db, dataDir: config.dataDir, masterKeys: config.masterKeys, masterKeyFile: config.masterKeyFile, variable: config.declaredVariable, declaration });
    // A command may be the first to run after the upgrade: details still in plain JSON are sealed before it reads or erases anything.
    await sealLegacyDetails(vault);
    return await work(vault);
  } finally {
    await store.close();
  }
}
