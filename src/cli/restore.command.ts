import { restoreBackup } from '../backup/restore-backup.js';
import { sum } from '../backup/write-backup.js';
import type { Config } from '../config.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';

/** Replaces the database's content with the backup's, then erases again every subject erased since. */
export async function restoreCommand(config: Config, io: Io, file: string): Promise<number> {
  const store = await openStore(config);
  try {
    const result = await restoreBackup(store, { file, actor: 'cli' });
    io.out(`restored ${sum(result.counts)} rows into ${store.location} from the backup of ${result.backupCreatedAt}`);
    io.out(`erasures applied again: ${result.erasuresReapplied}`);
    return 0;
  } finally {
    await store.close();
  }
}
