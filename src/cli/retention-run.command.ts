import type { Config } from '../config.js';
import { formatProblem } from '../errors.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { runRetention } from '../retention/run-retention.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';

/** Runs retention now against the configured declaration and prints the counts. */
export async function retentionRunCommand(config: Config, io: Io): Promise<number> {
  const { declaration, warnings } = await loadDeclaration(config.policyFile);
  for (const warning of warnings) io.err(`warning: ${formatProblem(warning, config.policyFile)}`);
  const store = await openStore(config);
  try {
    const result = await runRetention(store.db, { declaration, now: new Date(), actor: 'cli' });
    const lines = Object.entries(result.categories).map(([category, count]) => `${category}: ${count} deleted`);
    io.out([...lines, `subjects erased: ${result.subjectsErased}`].join('\n'));
    return 0;
  } finally {
    await store.close();
  }
}
