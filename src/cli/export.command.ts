import { writeFileSync } from 'node:fs';
import type { Config } from '../config.js';
import { formatProblem } from '../errors.js';
import { exportSubject } from '../export/export-subject.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { openStore } from '../store/open-store.js';
import { openVault } from '../vault/open-vault.js';
import type { Io } from './io.js';

/** Writes everything held about a subject to a zip readable only by its owner (mode 0600). */
export async function exportCommand(config: Config, io: Io, subjectId: string, file: string): Promise<number> {
  const { declaration, warnings } = await loadDeclaration(config.policyFile);
  for (const warning of warnings) io.err(`warning: ${formatProblem(warning, config.policyFile)}`);
  const store = await openStore(config);
  try {
    const vault = await openVault({ db: store.db, dataDir: config.dataDir, masterKeys: config.masterKeys, declaration });
    const exported = await exportSubject(vault, { subjectId, actor: 'cli' });
    writeFileSync(file, exported.zip, { mode: 0o600 });
    io.out(`wrote ${file}: ${exported.files.join(', ')}`);
    return 0;
  } finally {
    await store.close();
  }
}
