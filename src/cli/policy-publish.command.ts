import type { Config } from '../config.js';
import { formatProblem } from '../errors.js';
import type { Declaration } from '../policy/declaration.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { findVersion } from '../policy/policy-version.repository.js';
import { publishPolicy } from '../policy/publish-policy.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';

export interface PolicyPublishOptions {
  material: boolean;
  /** Publish this older version's content again, as a new version. */
  rollback?: number;
}

/**
 * Publishes a declaration file, or with `--rollback N` version N's content, as the new
 * version in force. A file holding an older version's content is refused: going back is
 * said with `--rollback`, never done by accident.
 */
export async function policyPublishCommand(config: Config, io: Io, file: string | undefined, options: PolicyPublishOptions): Promise<number> {
  if (file !== undefined && options.rollback !== undefined) {
    io.err('vow: give a file or --rollback, not both');
    return 2;
  }
  let declaration: Declaration | undefined;
  const path = file ?? config.policyFile;
  if (options.rollback === undefined) {
    const loaded = await loadDeclaration(path);
    for (const warning of loaded.warnings) io.err(`warning: ${formatProblem(warning, path)}`);
    declaration = loaded.declaration;
  }
  const store = await openStore(config);
  try {
    if (options.rollback !== undefined) {
      declaration = (await findVersion(store.db, options.rollback))?.declaration;
      if (!declaration) {
        io.err(`vow: no published version ${options.rollback}`);
        return 1;
      }
    }
    if (!declaration) return 1;
    const rollback = options.rollback !== undefined;
    const outcome = await publishPolicy(store.db, { declaration, material: options.material, actor: 'cli', rollback });
    const { number, hash, material } = outcome.version;
    if (outcome.published) {
      io.out(`published version ${number}${material ? ' (material)' : ''}${rollback ? ` (rollback to version ${options.rollback ?? ''})` : ''} sha256:${hash}`);
      return 0;
    }
    if (outcome.older) {
      io.err(`vow: ${path} holds the content of version ${outcome.older.number}, older than version ${number} in force; nothing was published (to go back: vow policy publish --rollback ${outcome.older.number})`);
      return 1;
    }
    io.out(`unchanged: version ${number} already has this content (sha256:${hash})`);
    return 0;
  } finally {
    await store.close();
  }
}
