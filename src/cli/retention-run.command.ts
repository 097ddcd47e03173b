import type { Config } from '../config.js';
import { runRetention } from '../retention/run-retention.js';
import { openStore } from '../store/open-store.js';
import { declarationInForce } from './declaration-in-force.js';
import type { Io } from './io.js';

/** Runs retention now under the policy in force and prints the counts. */
export async function retentionRunCommand(config: Config, io: Io): Promise<number> {
  const store = await openStore(config);
  try {
    const declaration = await declarationInForce(store.db, config, io);
    const result = await runRetention(store.db, { declaration, now: new Date(), actor: 'cli' });
    const lines = Object.entries(result.categories).map(([category, count]) => `${category}: ${count} deleted`);
    io.out([...lines, `subjects erased: ${result.subjectsErased}`].join('\n'));
    return 0;
  } finally {
    await store.close();
  }
}
