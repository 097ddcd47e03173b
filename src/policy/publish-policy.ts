import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { isUniqueViolation } from '../store/open-store.js';
import type { Database } from '../store/schema.js';
import type { Declaration } from './declaration.js';
import { contentHash, policyContent } from './policy-content.js';
import { findLatestVersion, insertVersion } from './policy-version.repository.js';
import type { PolicyVersion } from './policy-version.js';

export interface PublishPolicyOptions {
  declaration: Declaration;
  /** A material change must be announced to subjects (and, later, accepted again). */
  material: boolean;
  actor: Actor;
  now?: Date;
}

export type PublishOutcome = { published: true; version: PolicyVersion } | { published: false; version: PolicyVersion };

/**
 * Records a new version when the declaration's content differs from the latest one;
 * otherwise reports the latest version unchanged. Publishing the content of an older
 * version again (a rollback) is a new version.
 */
export async function publishPolicy(db: Kysely<Database>, options: PublishPolicyOptions): Promise<PublishOutcome> {
  const hash = contentHash(options.declaration);
  // Two processes starting on one PostgreSQL may both try; the loser sees the winner's version on its retry.
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await db.transaction().execute(async (trx) => {
        const latest = await findLatestVersion(trx);
        if (latest?.hash === hash) return { published: false, version: latest };
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
          data: { hash, material: version.material },
        });
        return { published: true, version };
      });
    } catch (error) {
      if (attempt < 3 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}
