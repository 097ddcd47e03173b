import type { Config } from '../config.js';
import { sendPolicyNotices } from '../policy-notices/send-policy-notices.js';
import { openStore } from '../store/open-store.js';
import { openVault } from '../vault/open-vault.js';
import { declarationInForce } from './declaration-in-force.js';
import type { Io } from './io.js';

/** Tells account holders of the latest material version now, rather than waiting for the job. */
export async function policyNotifyCommand(config: Config, io: Io, options: { batch: number }): Promise<number> {
  const store = await openStore(config);
  try {
    const declaration = await declarationInForce(store.db, config, io);
    const vault = await openVault({ db: store.db, dataDir: config.dataDir, masterKeys: config.masterKeys, masterKeyFile: config.masterKeyFile, declaration });
    let notified = 0;
    let withoutAddress = 0;
    for (;;) {
      const run = await sendPolicyNotices(vault, { batchSize: options.batch });
      if (run.version === null) {
        io.out('no material version has been published: nobody to notify');
        return 0;
      }
      notified += run.notified;
      withoutAddress += run.withoutAddress;
      if (!run.more) {
        io.out(`version ${run.version}: ${notified} account holder(s) notified${withoutAddress > 0 ? ` (${withoutAddress} without an address, told by the page only)` : ''}`);
        return 0;
      }
    }
  } finally {
    await store.close();
  }
}
