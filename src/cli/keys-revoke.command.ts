import { revokeApiKey } from '../auth/api-key.js';
import type { Config } from '../config.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';

export async function keysRevokeCommand(config: Config, io: Io, id: string): Promise<number> {
  const store = await openStore(config);
  try {
    await revokeApiKey(store.db, { id, actor: 'cli' });
    io.out(`revoked ${id}`);
    return 0;
  } finally {
    await store.close();
  }
}
