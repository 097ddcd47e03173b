import type { Config } from '../config.js';
import { VowError } from '../errors.js';
import type { Declaration } from '../policy/declaration.js';
import { diffDeclarations, formatChanges } from '../policy/diff-declarations.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { findVersion } from '../policy/policy-version.repository.js';
import { openStore, type Store } from '../store/open-store.js';
import type { Io } from './io.js';

/** Compares two policies, each named by a published version number or a declaration file. */
export async function policyDiffCommand(config: Config, io: Io, a: string, b: string): Promise<number> {
  const needsStore = [a, b].some(isVersionNumber);
  const store = needsStore ? await openStore(config) : undefined;
  try {
    const [before, after] = [await resolve(a, store), await resolve(b, store)];
    io.out(formatChanges(diffDeclarations(before, after)));
    return 0;
  } finally {
    await store?.close();
  }
}

function isVersionNumber(text: string): boolean {
  return /^v?\d+$/.test(text);
}

async function resolve(ref: string, store: Store | undefined): Promise<Declaration> {
  if (store && isVersionNumber(ref)) {
    const number = Number(ref.replace(/^v/, ''));
    const version = await findVersion(store.db, number);
    if (!version) throw new VowError('version_not_found', `policy version ${number} does not exist`);
    return version.declaration;
  }
  return (await loadDeclaration(ref)).declaration;
}
