import type { Config } from '../config.js';
import { renderRopa, type RopaFormat } from '../disclosures/render-ropa.js';
import { ropaOfStore } from '../disclosures/ropa-of-store.js';
import { openStore } from '../store/open-store.js';
import { declarationInForce } from './declaration-in-force.js';
import type { Io } from './io.js';

/** `vow ropa`: the records of processing activities, from the declaration and the store. */
export async function ropaCommand(config: Config, io: Io, options: { format: RopaFormat }): Promise<number> {
  const store = await openStore(config);
  try {
    const declaration = await declarationInForce(store.db, config, io);
    io.out(renderRopa(await ropaOfStore(store.db, declaration), options.format));
    return 0;
  } finally {
    await store.close();
  }
}
