/**
 * A request's personal content (contact address, details, corrections), sealed under
 * the subject's own key when the subject is known, so that erasing the subject leaves
 * it unreadable; under the `requests` vault key otherwise.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { open, seal } from '../vault/aes-gcm.js';
import { openSubject } from '../vault/subject-store.js';
import type { VaultContext } from '../vault/vault-context.js';
import type { RequestData, RequestRow } from './request.js';
import type { RequestKeys } from './request-keys.js';
import { readContactAddress } from './contact-address.js';

export function sealRequestData(key: Buffer, requestId: string, data: RequestData): string {
  // One sealed value (`v1.…`) rather than sealed fields in JSON: readers of other contexts (the access export) recognise it as ciphertext and leave it out.
  return seal(key, Buffer.from(JSON.stringify(data), 'utf8'), `request\0${requestId}`);
}

/** The key sealing this request's data and staff notes; undefined once its subject is erased. */
export async function sealingKeyOf(ctx: VaultContext, db: Kysely<Database>, keys: RequestKeys, row: RequestRow): Promise<Buffer | undefined> {
  return row.sealed_with === 'requests' ? keys.sealing : (await openSubject(ctx, db, row.subject_id ?? ''))?.dataKey;
}

/** The request's data, or an empty object when it was cleared or its subject erased. */
export async function readRequestData(ctx: VaultContext, db: Kysely<Database>, keys: RequestKeys, row: RequestRow): Promise<RequestData> {
  if (row.data === null) return {};
  const key = await sealingKeyOf(ctx, db, keys, row);
  if (!key) return {};
  return JSON.parse(open(key, row.data, `request\0${row.id}`).toString('utf8')) as RequestData;
}

/** Where to answer: the address the request gave, else the subject's own. */
export async function contactOf(ctx: VaultContext, data: RequestData, row: RequestRow): Promise<string | undefined> {
  return data.email ?? (row.subject_id === null ? undefined : await readContactAddress(ctx, row.subject_id));
}
