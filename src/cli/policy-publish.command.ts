import type { Config } from '../config.js';
import { formatProblem } from '../errors.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { publishPolicy } from '../policy/publish-policy.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';

export async function policyPublishCommand(config: Config, io: Io, file: string | undefined, options: { material: boolean }): Promise<number> {
  const path = file ?? config.policyFile;
  const { declaration, warnings } = await loadDeclaration(path);
  for (const warning of warnings) io.err(`warning: ${formatProblem(warning, path)}`);
  const store = await openStore(config);
  try {
    const outcome = await publishPolicy(store.db, { declaration, material: options.material, actor: 'cli' });
    const { number, hash, material } = outcome.version;
    io.out(
      outcome.published
        ? `published version ${number}${material ? ' (material)' : ''} sha256:${hash}`
        : `unchanged: version ${number} already has this content (sha256:${hash})`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
