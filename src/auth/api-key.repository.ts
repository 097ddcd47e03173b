/** SQL for API keys. Hashes go in and are matched here; they never leave except for the comparison in `authenticate`. */
import type { Kysely, Selectable } from 'kysely';
import type { ApiKeyTable, Database } from '../store/schema.js';

export type ApiKeyRow = Selectable<ApiKeyTable>;
export type ApiKeyListRow = Omit<ApiKeyRow, 'secret_hash'>;

export async function insertApiKey(trx: Kysely<Database>, row: ApiKeyRow): Promise<void> {
  await trx.insertInto('api_keys').values(row).execute();
}

/** The un-revoked key with this secret hash, if any. */
export async function findActiveKeyByHash(
  db: Kysely<Database>,
  secretHash: string,
): Promise<Pick<ApiKeyRow, 'id' | 'secret_hash' | 'role' | 'purposes'> | undefined> {
  return db
    .selectFrom('api_keys')
    .select(['id', 'secret_hash', 'role', 'purposes'])
    .where('secret_hash', '=', secretHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function listApiKeyRows(db: Kysely<Database>): Promise<ApiKeyListRow[]> {
  return db
    .selectFrom('api_keys')
    .select(['id', 'role', 'purposes', 'label', 'created_at', 'revoked_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findApiKeyRevokedAt(db: Kysely<Database>, id: string): Promise<{ revoked_at: string | null } | undefined> {
  return db.selectFrom('api_keys').select('revoked_at').where('id', '=', id).executeTakeFirst();
}

/** Marks the key revoked; false when there is no un-revoked key with this id. */
export async function markRevoked(trx: Kysely<Database>, id: string, at: string): Promise<boolean> {
  const result = await trx.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function countActiveKeysForRole(db: Kysely<Database>, role: string): Promise<number> {
  const row = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('role', '=', role)
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
