import type { Config } from '../config.js';
import { openStore } from '../store/open-store.js';
import { openKeyring } from '../vault/keyring.js';
import { rotateMasterKey } from '../vault/rotate-master-key.js';
import type { Io } from './io.js';

/** Re-wraps every data key under a new master key; servers keep running meanwhile. */
export async function keysRotateCommand(config: Config, io: Io): Promise<number> {
  const store = await openStore(config);
  try {
    const keyring = openKeyring({ dataDir: config.dataDir, masterKeys: config.masterKeys, masterKeyFile: config.masterKeyFile });
    const result = await rotateMasterKey(store.db, keyring, { actor: 'cli' });
    io.out(`rotated: master key ${result.masterKeyId} now wraps every key (${result.rewrapped} re-wrapped)`);
    if (keyring.source === 'environment') io.err('remove the old key from VOW_PREVIOUS_MASTER_KEYS on every server now');
    return 0;
  } finally {
    await store.close();
  }
}
