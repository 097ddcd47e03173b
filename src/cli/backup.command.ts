import { writeBackup, sum } from '../backup/write-backup.js';
import type { Config } from '../config.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';

/** Writes a logical backup of every table to `file` (mode 0600): ciphertext and wrapped keys only, never the master key. */
export async function backupCommand(config: Config, io: Io, file: string): Promise<number> {
  const store = await openStore(config);
  try {
    const result = await writeBackup(store, { file, actor: 'cli' });
    io.out(`backup of ${store.location} written to ${file}: ${Object.keys(result.counts).length} tables, ${sum(result.counts)} rows (${result.createdAt})`);
    io.out('it holds personal data only as ciphertext; the master key is not in it: keep the key file or VOW_MASTER_KEY apart.');
    return 0;
  } finally {
    await store.close();
  }
}
