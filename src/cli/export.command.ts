import { openOwnerOnly } from '../backup/backup-file.js';
import type { Config } from '../config.js';
import { exportSubject } from '../export/export-subject.js';
import type { Io } from './io.js';
import { withVault } from './with-vault.js';

/** Writes everything held about a subject to a zip readable only by its owner (mode 0600). */
export function exportCommand(config: Config, io: Io, subjectId: string, file: string): Promise<number> {
  return withVault(config, io, async (vault) => {
    const exported = await exportSubject(vault, { subjectId, actor: 'cli' });
    const handle = await openOwnerOnly(file);
    try {
      await handle.writeFile(exported.zip);
    } finally {
      await handle.close();
    }
    io.out(`wrote ${file}: ${exported.files.join(', ')}`);
    return 0;
  });
}
