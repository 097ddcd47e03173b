/** SQL for policy versions. */
import type { Kysely } from 'kysely';
import type { Database, PolicyVersionRow } from '../store/schema.js';
import { LruCache } from '../lru-cache.js';
import type { Declaration } from './declaration.js';
import { declarationFromContent, type PolicyVersion, type PolicyVersionWithContent } from './policy-version.js';

const summaryColumns = ['number', 'hash', 'published_at', 'material'] as const;

function toVersion(row: Pick<PolicyVersionRow, (typeof summaryColumns)[number]>): PolicyVersion {
  return { number: row.number, hash: row.hash, publishedAt: row.published_at, material: row.material === 1 };
}

export async function findLatestVersion(db: Kysely<Database>): Promise<PolicyVersion | undefined> {
  const row = await db.selectFrom('policy_versions').select(summaryColumns).orderBy('number', 'desc').limit(1).executeTakeFirst();
  return row && toVersion(row);
}

export async function listVersions(db: Kysely<Database>): Promise<PolicyVersion[]> {
  const rows = await db.selectFrom('policy_versions').select(summaryColumns).orderBy('number', 'desc').execute();
  return rows.map(toVersion);
}

/** Whether version `number` was published: one indexed row, not the history. */
export async function isPublishedVersion(db: Kysely<Database>, number: number): Promise<boolean> {
  return (await db.selectFrom('policy_versions').select('number').where('number', '=', number).executeTakeFirst()) !== undefined;
}

// A version's hash is its content's, and published content never changes: reads under an
// older version (explicit acceptance, a visitor's cookie choice) parse it once, not per read.
const parsed = new LruCache<string, Declaration>(64);

export async function findVersion(db: Kysely<Database>, number: number): Promise<PolicyVersionWithContent | undefined> {
  const row = await db.selectFrom('policy_versions').selectAll().where('number', '=', number).executeTakeFirst();
  if (!row) return undefined;
  let declaration = parsed.get(row.hash);
  if (!declaration) {
    declaration = declarationFromContent(row.content);
    parsed.set(row.hash, declaration);
  }
  return { ...toVersion(row), declaration };
}

export async function findVersionByHash(db: Kysely<Database>, hash: string): Promise<PolicyVersion | undefined> {
  const row = await db.selectFrom('policy_versions').select(summaryColumns).where('hash', '=', hash).orderBy('number', 'desc').limit(1).executeTakeFirst();
  return row && toVersion(row);
}

export async function insertVersion(trx: Kysely<Database>, version: PolicyVersion, content: string): Promise<void> {
  await trx
    .insertInto('policy_versions')
    .values({ number: version.number, hash: version.hash, published_at: version.publishedAt, material: version.material ? 1 : 0, content })
    .execute();
}

/** The newest material version's number, or undefined when no version was material. */
export async function findLastMaterialNumber(db: Kysely<Database>): Promise<number | undefined> {
  const row = await db.selectFrom('policy_versions').select('number').where('material', '=', 1).orderBy('number', 'desc').limit(1).executeTakeFirst();
  return row?.number;
}

/** The first version's number (the oldest decision that can still hold), or undefined before any publication. */
export async function findFirstNumber(db: Kysely<Database>): Promise<number | undefined> {
  const row = await db.selectFrom('policy_versions').select('number').orderBy('number', 'asc').limit(1).executeTakeFirst();
  return row?.number;
}
