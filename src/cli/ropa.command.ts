import type { Config } from '../config.js';
import { renderRopa, type RopaFormat } from '../disclosures/render-ropa.js';
import { ropaOfStore } from '../disclosures/ropa-of-store.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';

/** `vow ropa`: the records of processing activities, from the declaration and the store. */
export async function ropaCommand(config: Config, io: Io, options: { format: RopaFormat }): Promise<number> {
  const { declaration } = await loadDeclaration(config.policyFile);
  const store = await openStore(config);
  try {
    io.out(renderRopa(await ropaOfStore(store.db, declaration), options.format));
    return 0;
  } finally {
    await store.close();
  }
}
