/**
 * The audit chain's latest signed checkpoint, public like a transparency log's tree head:
 * anyone may keep copies, and `vow audit verify --checkpoint` proves the log against any
 * of them. It names only a sequence number, a hash and a time: nothing about anyone.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { signCheckpoint, type AuditCheckpoint } from '../audit/audit-checkpoint.js';
import type { SigningKey } from '../disclosures/signing-key.js';
import type { Database } from '../store/schema.js';

/** A checkpoint costs a walk of the whole chain: one a minute at most, whatever the traffic. */
const FRESH_MS = 60_000;

export const auditRoutes: FastifyPluginAsyncZod<{ db: Kysely<Database>; signing: SigningKey }> = async (app, { db, signing }) => {
  let latest: { checkpoint: AuditCheckpoint; madeMs: number } | undefined;
  let making: Promise<AuditCheckpoint> | undefined;
  app.get(
    '/.well-known/vow-audit-checkpoint.json',
    { config: { rateLimit: { max: 60, timeWindow: '1 minute' } }, schema: { summary: 'The latest signed checkpoint of the audit chain (sequence, hash, time, Ed25519 signature)', tags: ['audit'] } },
    async () => {
      const now = Date.now();
      if (latest && now - latest.madeMs < FRESH_MS) return latest.checkpoint;
      making ??= signCheckpoint(db, signing).finally(() => {
        making = undefined;
      });
      const checkpoint = await making;
      latest = { checkpoint, madeMs: now };
      return checkpoint;
    },
  );
};
