/** Signed audit checkpoints as a periodic job, written where the operator points them (VOW_AUDIT_CHECKPOINT_DIR). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { SigningKey } from '../disclosures/signing-key.js';
import type { ScheduledJob } from '../jobs/scheduler.js';
import type { Database } from '../store/schema.js';
import { signCheckpoint } from './audit-checkpoint.js';

export const AUDIT_CHECKPOINT_JOB = 'audit-checkpoint';
export const AUDIT_CHECKPOINT_INTERVAL_MS = 60 * 60 * 1000;

/** One file per checkpoint, named so that they sort by record (`checkpoint-000000001234.json`); never overwritten. */
export function auditCheckpointJob(options: { db: Kysely<Database>; signing: SigningKey; dir: string; interval?: number }): ScheduledJob {
  return {
    name: AUDIT_CHECKPOINT_JOB,
    interval: options.interval ?? AUDIT_CHECKPOINT_INTERVAL_MS,
    run: async (now) => {
      const checkpoint = await signCheckpoint(options.db, options.signing, now);
      mkdirSync(options.dir, { recursive: true });
      const file = join(options.dir, `checkpoint-${String(checkpoint.seq).padStart(12, '0')}.json`);
      writeFileSync(file, `${JSON.stringify(checkpoint, null, 2)}\n`, { flag: 'w', mode: 0o644 });
      return `record ${checkpoint.seq}`;
    },
  };
}
