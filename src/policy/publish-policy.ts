import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { isUniqueViolation } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import type { Declaration } from './declaration.js';
import { contentHash, policyContent } from './policy-content.js';
import { findLatestVersion, findVersionByHash, insertVersion } from './policy-version.repository.js';
import type { PolicyVersion } from './policy-version.js';

export interface PublishPolicyOptions {
  declaration: Declaration;
  /** A material change must be announced to subjects (and, later, accepted again). */
  material: boolean;
  actor: Actor;
  /** Publish the content of an older version again, as a new version. Without it, older content publishes nothing. */
  rollback?: boolean;
  now?: Date;
}

export type PublishOutcome =
  | { published: true; version: PolicyVersion; older?: undefined }
  /** `version` is the latest, still in force; `older` is set when the content is that of an older version, not published again. */
  | { published: false; version: PolicyVersion; older?: PolicyVersion };

/**
 * Records a new version when the declaration's content differs from every published
 * one; otherwise reports the latest version unchanged. The content of an older version
 * is published again (a rollback, as a new version) only when `rollback` says so, so a
 * server restarted with an old file never undoes a later publication.
 */
export async function publishPolicy(db: Kysely<Database>, options: PublishPolicyOptions): Promise<PublishOutcome> {
  const hash = contentHash(options.declaration);
  // Two processes starting on one PostgreSQL may both try; the loser sees the winner's version on its retry.
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await db.transaction().execute(async (trx) => {
        const latest = await findLatestVersion(trx);
        if (latest?.hash === hash) return { published: false, version: latest };
        const older = latest && !options.rollback ? await findVersionByHash(trx, hash) : undefined;
        if (latest && older) return { published: false, version: latest, older };
        const version: PolicyVersion = {
          number: (latest?.number ?? 0) + 1,
          hash,
          publishedAt: (options.now ?? new Date()).toISOString(),
          material: options.material,
        };
        await insertVersion(trx, version, policyContent(options.declaration));
        await appendAudit(trx, {
          actor: options.actor,
          action: 'policy.published',
          target: `policy:v${version.number}`,
          data: { hash, material: version.material, ...(options.rollback ? { rollback: true } : {}) },
        });
        return { published: true, version };
      });
    } catch (error) {
      if (attempt < 3 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}
