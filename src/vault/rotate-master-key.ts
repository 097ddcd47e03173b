/**
 * Master-key rotation: every wrapped key (each subject's data key, the blind-index key)
 * is unwrapped with the key it was wrapped under and wrapped again under the current
 * one, in small transactions, while the server keeps running; the audit head is sealed
 * again under a key derived from the current one. The data itself is never
 * re-encrypted: that is the point of wrapping per-subject keys.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { rekeyAuditHead } from '../audit/rekey-audit-head.js';
import type { Database } from '../store/schema.js';
import type { Keyring } from './keyring.js';

const BATCH = 500;

export interface RotationResult {
  masterKeyId: string;
  rewrapped: number;
}

/** Re-wraps everything not yet under the current master key. Safe to run again after an interruption. */
export async function rewrapKeys(db: Kysely<Database>, keyring: Keyring): Promise<number> {
  let total = 0;
  for (;;) {
    const current = keyring.currentId();
    const batch = await db.transaction().execute(async (trx) => {
      const subjects = await trx
        .selectFrom('subject_keys')
        .select(['subject_id', 'wrapped', 'master_key_id'])
        .where('master_key_id', '!=', current)
        .limit(BATCH)
        .execute();
      for (const row of subjects) {
        const dataKey = keyring.unwrap({ masterKeyId: row.master_key_id, wrapped: row.wrapped }, row.subject_id);
        const fresh = keyring.wrap(dataKey, row.subject_id);
        // The old-key condition keeps a concurrent erasure or rotation from being overwritten.
        await trx
          .updateTable('subject_keys')
          .set({ wrapped: fresh.wrapped, master_key_id: fresh.masterKeyId })
          .where('subject_id', '=', row.subject_id)
          .where('master_key_id', '=', row.master_key_id)
          .execute();
      }
      const own = await trx.selectFrom('vault_keys').select(['name', 'wrapped', 'master_key_id']).where('master_key_id', '!=', current).execute();
      for (const row of own) {
        const fresh = keyring.wrap(keyring.unwrap({ masterKeyId: row.master_key_id, wrapped: row.wrapped }, row.name), row.name);
        await trx
          .updateTable('vault_keys')
          .set({ wrapped: fresh.wrapped, master_key_id: fresh.masterKeyId })
          .where('name', '=', row.name)
          .where('master_key_id', '=', row.master_key_id)
          .execute();
      }
      return subjects.length + own.length;
    });
    total += batch;
    if (batch === 0) {
      await rekeyAuditHead(db);
      return total;
    }
  }
}

/**
 * With a key file: adds a new master key, re-wraps everything under it, waits for running
 * servers to pick the new key up, re-wraps what they wrapped meanwhile, then retires the
 * old keys. With VOW_MASTER_KEY: re-wraps everything under that key (the operator puts the
 * old one in VOW_PREVIOUS_MASTER_KEYS until this finishes).
 */
export async function rotateMasterKey(
  db: Kysely<Database>,
  keyring: Keyring,
  options: { actor: Actor; settleMs?: number },
): Promise<RotationResult> {
  const previous = keyring.currentId();
  if (keyring.source === 'file') keyring.addKey();
  let rewrapped = await rewrapKeys(db, keyring);
  if (keyring.source === 'file') {
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 2500));
    rewrapped += await rewrapKeys(db, keyring);
    keyring.retireOldKeys();
  }
  const masterKeyId = keyring.currentId();
  await db.transaction().execute((trx) =>
    appendAudit(trx, { actor: options.actor, action: 'keys.rotated', target: `master-key:${masterKeyId}`, data: { previous, rewrapped } }),
  );
  return { masterKeyId, rewrapped };
}
