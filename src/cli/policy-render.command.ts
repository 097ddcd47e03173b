import type { Config } from '../config.js';
import { VowError } from '../errors.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { contentHash } from '../policy/policy-content.js';
import { findVersion, findVersionByHash } from '../policy/policy-version.repository.js';
import { renderPolicy, type RenderFormat } from '../policy/render-policy.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';

export interface RenderOptions {
  format: RenderFormat;
  /** Render a published version instead of a file. */
  version?: number;
}

/**
 * Renders a file, stamped with its version number when that exact content has been
 * published, or a published version by number.
 */
export async function policyRenderCommand(config: Config, io: Io, file: string | undefined, options: RenderOptions): Promise<number> {
  const store = await openStore(config);
  try {
    if (options.version !== undefined) {
      const version = await findVersion(store.db, options.version);
      if (!version) throw new VowError('version_not_found', `policy version ${options.version} does not exist`);
      io.out(renderPolicy(version.declaration, version, options.format));
      return 0;
    }
    const { declaration } = await loadDeclaration(file ?? config.policyFile);
    const published = await findVersionByHash(store.db, contentHash(declaration));
    io.out(renderPolicy(declaration, published, options.format));
    return 0;
  } finally {
    await store.close();
  }
}
