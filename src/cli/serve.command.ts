import { dirname, resolve } from 'node:path';
import { createVow } from '../app.js';
import type { Config } from '../config.js';
import { formatProblem } from '../errors.js';
import type { Dialect } from '../store/open-store.js';
import { keyFileOf } from '../vault/keyring.js';
import { servedPlaces } from '../http/home.routes.js';
import type { Io } from './io.js';

/** A key file in the folder of the SQLite database it protects: one copy of that folder is a copy of everything. */
export function keyBesideDatabase(config: Config, running: { keySource: 'environment' | 'file'; dialect: Dialect }): string | undefined {
  if (running.keySource !== 'file' || running.dialect !== 'sqlite') return undefined;
  const file = keyFileOf(config);
  if (resolve(dirname(file)) !== resolve(config.dataDir)) return undefined;
  return `the master key file ${file} sits beside the database it protects: keep it elsewhere (VOW_MASTER_KEY_FILE, a mounted secret) or pass the key in VOW_MASTER_KEY (README, "Keys")`;
}

/** Starts the server and keeps it running until SIGTERM or SIGINT, then closes it gracefully. */
export async function serveCommand(config: Config, io: Io): Promise<number> {
  const vow = await createVow(config);
  for (const warning of vow.warnings) io.err(`warning: ${formatProblem(warning, config.policyFile)}`);
  const keyWarning = keyBesideDatabase(config, { keySource: vow.vault.keyring.source, dialect: vow.store.dialect });
  if (keyWarning) io.err(`warning: ${keyWarning}`);
  const { version, published } = vow.publication;
  const origin = published ? `published now from ${config.policyFile}` : vow.publication.older ? `the latest published; ${config.policyFile} is version ${vow.publication.older.number}` : `the latest published, as in ${config.policyFile}`;
  const address = await vow.server.listen({ port: config.port, host: config.host });
  const url = address.replace('://[::1]', '://localhost').replace('://0.0.0.0', '://127.0.0.1');
  io.out(
    [
      `Vow is running on ${vow.store.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} (${vow.store.location})`,
      `  policy version ${version.number} in force (${origin}); newer versions are enforced as they are published`,
      `  open ${url}/privacy`,
      ...servedPlaces.filter((place) => place.path !== '/privacy').map((place) => `  ${place.name.replace(/^The /, '').padEnd(16)} ${url}${place.path}`),
      `  everything       ${url}/`,
      ...(vow.firstAdminKey
        ? [`  first start: an admin API key was issued; it is shown only this once:`, `  ${vow.firstAdminKey}`]
        : []),
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      vow.server.log.info('shutting down');
      void vow.close().then(resolve, resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}
