/**
 * A disclosure's free-text details (for a legal request: the authority, its process and
 * scope), sealed so that erasing the disclosure's subjects leaves them unreadable. The
 * details are sealed once, under a key of the disclosure's own; that key is sealed under
 * the data key of each subject the disclosure carried, in the subject's accounting row.
 * Erasure deletes the row and destroys the subject key (crypto-shredding): once the
 * disclosure's last subject is erased, nothing in the live rows or in any backup opens the
 * details. While one subject remains, the details stay readable through that subject:
 * they describe the disclosure, which still concerns it.
 *
 * One copy of the details and a 60-byte key per subject, rather than the details under
 * every subject's key: a disclosure of 10,000 subjects stays small.
 *
 * A disclosure that carried no one has no subject key: its key is sealed under the
 * `disclosure-details` vault key instead, as no subject's erasure concerns it.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../store/schema.js';
import { open, seal } from '../vault/aes-gcm.js';
import type { Keyring } from '../vault/keyring.js';
import { loadOrCreateVaultKey } from '../vault/vault-keys.js';

const DisclosureDetails = z.record(z.string(), z.string());
export type DisclosureDetails = z.infer<typeof DisclosureDetails>;

const KEY_BYTES = 32;
const detailsData = (disclosureId: string) => `disclosure\0${disclosureId}\0details`;
const keyData = (disclosureId: string, holder: string) => `disclosure\0${disclosureId}\0key\0${holder}`;
/** The holder of the key of a disclosure that carried no one. */
const VAULT_HOLDER = 'vault';

/** The vault key for disclosures that carried no one; load it outside any transaction (a first creation racing inside one aborts it on PostgreSQL). */
export function loadDetailsVaultKey(db: Kysely<Database>, keyring: Keyring): Promise<Buffer> {
  return loadOrCreateVaultKey(db, keyring, 'disclosure-details', () => randomBytes(KEY_BYTES));
}

export interface SealedDetails {
  /** The `details` column: `''` when there are none, else the sealed JSON. */
  details: string;
  /** The disclosure's key sealed for one subject (its accounting row's `details_key`); null when there are no details. */
  keyFor(subjectId: string, dataKey: Buffer): string | null;
  /** The disclosure's key sealed under the vault key, for a disclosure that carried no one. */
  keyForNoOne(vaultKey: Buffer): string | null;
}

export function sealDetails(disclosureId: string, details: DisclosureDetails): SealedDetails {
  if (Object.keys(details).length === 0) return { details: '', keyFor: () => null, keyForNoOne: () => null };
  const key = randomBytes(KEY_BYTES);
  return {
    details: seal(key, Buffer.from(JSON.stringify(details), 'utf8'), detailsData(disclosureId)),
    keyFor: (subjectId, dataKey) => seal(dataKey, key, keyData(disclosureId, subjectId)),
    keyForNoOne: (vaultKey) => seal(vaultKey, key, keyData(disclosureId, VAULT_HOLDER)),
  };
}

/**
 * The details as one subject's accounting row opens them: `{}` when none were recorded,
 * null when they cannot be read (the subject's key or its copy of the disclosure's key is
 * gone). A row written before details were sealed holds them as plain JSON
 * (`sealLegacyDetails` seals those at start); it is read as it is.
 */
export function openDetails(disclosureId: string, details: string, subjectId: string, sealedKey: string | null, dataKey: Buffer | undefined): DisclosureDetails | null {
  if (details === '') return {};
  if (!details.startsWith('v1.')) return DisclosureDetails.parse(JSON.parse(details));
  if (sealedKey === null || dataKey === undefined) return null;
  const key = open(dataKey, sealedKey, keyData(disclosureId, subjectId));
  return DisclosureDetails.parse(JSON.parse(open(key, details, detailsData(disclosureId)).toString('utf8')));
}
