import type { Config } from '../config.js';
import { formatProblem } from '../errors.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import type { Io } from './io.js';

export async function policyCheckCommand(config: Config, io: Io, file: string | undefined): Promise<number> {
  const path = file ?? config.policyFile;
  const { declaration, warnings } = await loadDeclaration(path);
  for (const warning of warnings) io.err(`warning: ${formatProblem(warning, path)}`);
  const counts = [
    `${declaration.categories.length} categories`,
    `${declaration.purposes.length} purposes`,
    `${declaration.recipients.length} recipients`,
    `${declaration.cookies.length} cookie categories`,
  ].join(', ');
  io.out(`OK ${path}: ${counts}`);
  return 0;
}
