/**
 * The audit chain over HTTP. Its latest signed checkpoint is public, like a transparency
 * log's tree head: anyone may keep copies, and `vow audit verify --checkpoint` proves the
 * log against any of them; it names only a sequence number, a hash and a time. Staff with
 * `audit:read` page through the log itself, filtered, and have the whole chain verified.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AuditCheckpointSchema, signCheckpoint, type AuditCheckpoint } from '../audit/audit-checkpoint.js';
import { readHead, readLogNewestFirst } from '../audit/audit.repository.js';
import { verifyAudit } from '../audit/verify-audit.js';
import type { SigningKey } from '../disclosures/signing-key.js';
import type { Database } from '../store/schema.js';
import type { Auth } from './auth.js';
import { PageLimit } from './page-cursor.js';

/** A checkpoint costs a walk of the whole chain: one a minute at most, whatever the traffic. */
const FRESH_MS = 60_000;

const Name = (what: string) => z.string().max(200).regex(/^[A-Za-z0-9:._-]+$/, `must be ${what}`);
const LogQuery = z.strictObject({
  before: z.coerce.number().int().min(1).max(2 ** 31 - 1).optional().describe('the `next` of the previous page: records before this sequence number'),
  action: Name('an action such as request.completed, or a family such as request.').optional(),
  actor: Name('an actor such as staff:stf_… or key:…').optional(),
  target: Name('a target such as request:req_…').optional(),
  limit: PageLimit,
});
const AuditRecordSchema = z.object({ seq: z.number(), at: z.string(), actor: z.string(), action: z.string(), target: z.string(), data: z.string().describe('canonical JSON'), prevHash: z.string(), hash: z.string() });

export const auditRoutes: FastifyPluginAsyncZod<{
  db: Kysely<Database>;
  /** The log's pages may lag a few seconds (a replica); the checkpoint is signed from the primary. */
  reads?: Kysely<Database>;
  signing: SigningKey;
  auth: Auth;
}> = async (app, { db, reads = db, signing, auth }) => {
  let latest: { checkpoint: AuditCheckpoint; madeMs: number } | undefined;
  let making: Promise<AuditCheckpoint> | undefined;
  app.get(
    '/.well-known/vow-audit-checkpoint.json',
    { config: { rateLimit: { max: 60, timeWindow: '1 minute' } }, schema: { summary: 'The latest signed checkpoint of the audit chain (sequence, hash, time, Ed25519 signature)', tags: ['audit'], response: { 200: AuditCheckpointSchema } } },
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

  app.get(
    '/v1/audit',
    {
      onRequest: auth.requirePermission('audit:read'),
      schema: {
        summary: 'The audit log, newest first, a page at a time; filtered by action (or family), actor or target',
        tags: ['audit'],
        querystring: LogQuery,
        response: { 200: z.object({ records: z.array(AuditRecordSchema), next: z.number().nullable().describe('the `before` of the next page; null on the last') }) },
      },
    },
    async (request) => {
      const { before, limit, action, actor, target } = request.query;
      const records = await readLogNewestFirst(reads, { limit, ...(before !== undefined ? { beforeSeq: before } : {}), ...(action ? { action } : {}), ...(actor ? { actor } : {}), ...(target ? { target } : {}) });
      return { records, next: records.length === limit ? (records.at(-1)?.seq ?? null) : null };
    },
  );

  app.get(
    '/v1/audit/verification',
    {
      onRequest: auth.requirePermission('audit:read'),
      // A walk of the whole chain: a few a minute is plenty for people, and bounds the cost.
      config: { rateLimit: { max: 6, timeWindow: '1 minute' } },
      schema: {
        summary: 'Walks the whole chain now: every hash recomputed, every link followed, the sealed head checked',
        tags: ['audit'],
        response: {
          200: z.object({ ok: z.boolean(), count: z.number().optional(), head: z.string().optional(), seq: z.number().optional(), reason: z.string().optional(), headSeq: z.number().nullable(), checkedAt: z.string() }),
        },
      },
    },
    async () => {
      const [verdict, head] = await Promise.all([verifyAudit(db), readHead(db)]);
      return { ...verdict, headSeq: head?.seq ?? null, checkedAt: new Date().toISOString() };
    },
  );
};
