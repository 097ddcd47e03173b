import type { Config } from '../config.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { connectSystem } from '../systems/connect-system.js';
import { discoverSystem } from '../systems/discover-system.js';
import { renderProposal } from '../systems/render-proposal.js';
import type { Io } from './io.js';

export interface SystemsDiscoverOptions {
  engine: 'postgres' | 'mysql';
  url: string;
  sample: number;
  policy?: string;
  id?: string;
}

/** The system's id from the database's name (`shop_prod` → `shop-prod`). */
function idFrom(url: string): string {
  let name = '';
  try {
    name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  } catch {
    // Not parseable here; connecting will say what is wrong with it.
  }
  const id = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[^a-z]+|-+$/g, '');
  return id === '' ? 'database' : id;
}

export async function systemsDiscoverCommand(config: Config, io: Io, options: SystemsDiscoverOptions): Promise<number> {
  const { declaration } = await loadDeclaration(options.policy ?? config.policyFile);
  const database = await connectSystem(options.engine, options.url);
  try {
    const discovery = await discoverSystem({ database, declaration, sample: options.sample });
    const id = options.id ?? idFrom(options.url);
    const connection = `${id.toUpperCase().replaceAll('-', '_')}_DATABASE_URL`;
    io.out(renderProposal({ id, engine: options.engine, connection }, discovery));
    return 0;
  } finally {
    await database.close();
  }
}
