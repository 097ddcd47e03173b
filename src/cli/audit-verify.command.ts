import { verifyAudit } from '../audit/verify-audit.js';
import type { Config } from '../config.js';
import { openStore } from '../store/open-store.js';
import type { Io } from './io.js';

export async function auditVerifyCommand(config: Config, io: Io): Promise<number> {
  const store = await openStore(config);
  try {
    const verdict = await verifyAudit(store.db);
    if (verdict.ok) {
      io.out(`OK ${verdict.count} records, head sha256:${verdict.head}`);
      return 0;
    }
    io.err(`BROKEN at record ${verdict.seq}: ${verdict.reason}`);
    return 1;
  } finally {
    await store.close();
  }
}
