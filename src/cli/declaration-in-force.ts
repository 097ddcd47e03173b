/**
 * What a command enforces: the latest published version, as a running server does.
 * Before anything is published, the configured file (VOW_POLICY), which the first
 * `vow serve` or `vow policy publish` will publish; its warnings are shown then.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import { formatProblem } from '../errors.js';
import type { Declaration } from '../policy/declaration.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { readPolicyInForce } from '../policy/policy-in-force.js';
import type { Database } from '../store/schema.js';
import type { Io } from './io.js';

export async function declarationInForce(db: Kysely<Database>, config: Config, io: Io): Promise<Declaration> {
  const inForce = await readPolicyInForce(db);
  if (inForce) return inForce.declaration;
  const { declaration, warnings } = await loadDeclaration(config.policyFile);
  for (const warning of warnings) io.err(`warning: ${formatProblem(warning, config.policyFile)}`);
  return declaration;
}
