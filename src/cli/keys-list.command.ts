import { listApiKeys } from '../auth/api-key.js';
import type { Config } from '../config.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';

/** One line a key: id, role, purposes, status, label. Secrets cannot be listed: Vow keeps only their hashes. */
export async function keysListCommand(config: Config, io: Io): Promise<number> {
  const store = await openStore(config);
  try {
    const keys = await listApiKeys(store.db);
    if (keys.length === 0) {
      io.out('no API keys');
      return 0;
    }
    for (const key of keys) {
      const status = key.revokedAt === undefined ? `active since ${key.createdAt}` : `revoked ${key.revokedAt}`;
      const purposes = key.purposes.length > 0 ? key.purposes.join(',') : '-';
      io.out([key.id, key.role, `purposes=${purposes}`, status, ...(key.label ? [JSON.stringify(key.label)] : [])].join('  '));
    }
    return 0;
  } finally {
    await store.close();
  }
}
