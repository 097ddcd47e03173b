/**
 * Signed checkpoints of the audit chain, as Certificate Transparency publishes signed
 * tree heads: the sequence number and hash of the last record, the time, and an Ed25519
 * signature by the key only the master key unwraps. A checkpoint leaves the database
 * (served at a well-known URL, written to a folder the operator points at), so that
 * whoever keeps one can later prove that no record up to it was removed or rewritten:
 * cutting the log's tail, wiping it, or rehashing it all no longer verify against it.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { verifySignature, type SigningKey } from '../disclosures/signing-key.js';
import { VowError } from '../errors.js';
import type { Database } from '../store/schema.js';
import { readPage } from './audit.repository.js';
import { verifyAudit, type AuditVerdict } from './verify-audit.js';

export const AuditCheckpointSchema = z.strictObject({
  format: z.literal('vow-audit-checkpoint/1'),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.iso.datetime(),
  publicKey: z.string().min(1),
  signature: z.string().min(1),
});
export type AuditCheckpoint = z.infer<typeof AuditCheckpointSchema>;

const signedBytes = (checkpoint: Pick<AuditCheckpoint, 'format' | 'seq' | 'hash' | 'at'>) =>
  Buffer.from(`${checkpoint.format}\n${checkpoint.seq}\n${checkpoint.hash}\n${checkpoint.at}`, 'utf8');

/** Signs the chain's head, once the whole chain verifies: a checkpoint never vouches for a broken log. */
export async function signCheckpoint(db: Kysely<Database>, signing: SigningKey, now: Date = new Date()): Promise<AuditCheckpoint> {
  const verdict = await verifyAudit(db);
  if (!verdict.ok) throw new VowError('audit_chain_broken', `the audit log is broken at record ${verdict.seq}: ${verdict.reason}; no checkpoint is signed`);
  const unsigned = { format: 'vow-audit-checkpoint/1' as const, seq: verdict.count, hash: verdict.head, at: now.toISOString() };
  return { ...unsigned, publicKey: signing.publicKeyPem, signature: signing.sign(signedBytes(unsigned)) };
}

/** The checkpoint as read from a file, or a refusal naming what is wrong with it. */
export function parseCheckpoint(text: string): AuditCheckpoint {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new VowError('bad_request', 'the checkpoint file is not JSON');
  }
  const parsed = AuditCheckpointSchema.safeParse(json);
  if (!parsed.success) throw new VowError('bad_request', `the checkpoint file is not a Vow audit checkpoint: ${parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ')}`);
  return parsed.data;
}

/**
 * The chain as a checkpoint sees it: the chain verifies, the checkpoint was signed by
 * this installation's key (`trustedPublicKey`), and the record it names is still there
 * with the hash it had. Every record before it is then unchanged, since each hash covers
 * the one before.
 */
export async function verifyAgainstCheckpoint(db: Kysely<Database>, checkpoint: AuditCheckpoint, trustedPublicKey: string): Promise<AuditVerdict> {
  if (checkpoint.publicKey.trim() !== trustedPublicKey.trim() || !verifySignature(trustedPublicKey, signedBytes(checkpoint), checkpoint.signature)) {
    return { ok: false, seq: checkpoint.seq, reason: 'the checkpoint was not signed by this installation’s key' };
  }
  const verdict = await verifyAudit(db);
  const [record] = checkpoint.seq === 0 ? [] : await readPage(db, checkpoint.seq - 1, 1);
  if (checkpoint.seq > 0 && (record?.seq !== checkpoint.seq)) {
    return { ok: false, seq: checkpoint.seq, reason: `record ${checkpoint.seq}, signed in the checkpoint of ${checkpoint.at}, is missing: the log was cut or wiped` };
  }
  if (record && record.hash !== checkpoint.hash) {
    return { ok: false, seq: checkpoint.seq, reason: `record ${checkpoint.seq} is not the one signed in the checkpoint of ${checkpoint.at}: the log was rewritten` };
  }
  if (!verdict.ok) return verdict;
  if (verdict.count < checkpoint.seq) return { ok: false, seq: verdict.count + 1, reason: `the log ends at ${verdict.count}, before the checkpoint's ${checkpoint.seq}` };
  return verdict;
}
