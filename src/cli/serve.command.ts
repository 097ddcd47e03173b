import { createVow } from '../app.js';
import type { Config } from '../config.js';
import { formatProblem } from '../errors.js';
import type { Io } from './io.js';

/** Starts the server and keeps it running until SIGTERM or SIGINT, then closes it gracefully. */
export async function serveCommand(config: Config, io: Io): Promise<number> {
  const vow = await createVow(config);
  for (const warning of vow.warnings) io.err(`warning: ${formatProblem(warning, config.policyFile)}`);
  const { version, published } = vow.publication;
  const origin = published ? `published now from ${config.policyFile}` : vow.publication.older ? `the latest published; ${config.policyFile} is version ${vow.publication.older.number}` : `the latest published, as in ${config.policyFile}`;
  const address = await vow.server.listen({ port: config.port, host: config.host });
  const url = address.replace('://[::1]', '://localhost').replace('://0.0.0.0', '://127.0.0.1');
  io.out(
    [
      `Vow is running on ${vow.store.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} (${vow.store.location})`,
      `  policy version ${version.number} in force (${origin}); newer versions are enforced as they are published`,
      `  open ${url}/privacy`,
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
