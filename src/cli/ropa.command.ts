import type { Config } from '../config.js';
import { renderRopa, type RopaFormat } from '../disclosures/render-ropa.js';
import { buildRopa } from '../disclosures/ropa.js';
import { countRecordsByCategory } from '../disclosures/ropa.repository.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { findLatestVersion } from '../policy/policy-version.repository.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';

/** `vow ropa`: the records of processing activities, from the declaration and the store. */
export async function ropaCommand(config: Config, io: Io, options: { format: RopaFormat }): Promise<number> {
  const { declaration } = await loadDeclaration(config.policyFile);
  const store = await openStore(config);
  try {
    const ropa = buildRopa(declaration, {
      policyVersion: (await findLatestVersion(store.db))?.number ?? null,
      now: new Date(),
      recordCounts: await countRecordsByCategory(store.db),
    });
    io.out(renderRopa(ropa, options.format));
    return 0;
  } finally {
    await store.close();
  }
}
