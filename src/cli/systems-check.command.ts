import type { Config } from '../config.js';
import { formatProblem } from '../errors.js';
import type { Finding } from '../policy/check-declaration.js';
import { loadDeclaration, locateInDeclaration } from '../policy/load-declaration.js';
import { checkSystems } from '../systems/check-systems.js';
import type { Io } from './io.js';

export interface SystemsCheckOptions {
  system?: string;
}

/** Holds each declared database against its live schema; exits 1 when a declared table or column is missing. */
export async function systemsCheckCommand(config: Config, io: Io, file: string | undefined, options: SystemsCheckOptions): Promise<number> {
  const path = file ?? config.policyFile;
  const { declaration, text } = await loadDeclaration(path);
  const locate = locateInDeclaration(text);
  const place = (finding: Finding) => formatProblem(locate(finding.path, finding.message), path);
  const results = await checkSystems({ declaration, variable: config.declaredVariable, ...(options.system === undefined ? {} : { only: options.system }) });
  if (results.length === 0) io.out(`${path} declares no systems`);
  let failed = false;
  for (const result of results) {
    for (const error of result.errors) io.err(`error: ${place(error)}`);
    for (const warning of result.warnings) io.err(`warning: ${place(warning)}`);
    failed ||= result.errors.length > 0;
    const name = `${result.system.id} (${result.system.engine})`;
    const counts = [`${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`, `${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}`].join(', ');
    if (!result.checked) io.out(`${result.errors.length > 0 ? 'FAILED' : 'SKIPPED'} ${name}: ${result.errors.length > 0 ? counts : result.reason}`);
    else if (result.errors.length > 0) io.out(`DRIFT ${name}: ${counts}`);
    else io.out(`OK ${name}: ${result.tables} tables and ${result.columns} declared columns found${result.warnings.length > 0 ? `; ${counts}` : ''}`);
  }
  return failed ? 1 : 0;
}
