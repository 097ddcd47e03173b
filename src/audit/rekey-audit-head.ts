import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { auditHeadKeyOf } from './audit-head-key-plugin.js';
import { readHead, replaceSeal } from './audit.repository.js';

/**
 * A master-key rotation's part in the audit chain: the head, sealed under a key derived
 * from the old master key, is sealed again under the current one, so that it still
 * verifies once the old key is retired. Only a head whose seal holds is re-keyed: a
 * broken one stays broken. True when the head was re-keyed.
 */
export async function rekeyAuditHead(db: Kysely<Database>): Promise<boolean> {
  const key = auditHeadKeyOf(db);
  const head = await readHead(db);
  if (!head || head.keyId === key.currentKeyId()) return false;
  if (key.check(head.seq, head.hash, head) !== 'holds') return false;
  return replaceSeal(db, head, key.seal(head.seq, head.hash));
}
