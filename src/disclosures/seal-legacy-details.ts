/**
 * Seals the details of disclosures recorded before details were sealed: migration
 * 0017 has no keys and leaves them in plain JSON when their subjects remain. Run at each
 * start, where the keys are; after the first, it finds nothing. Each disclosure is sealed
 * in a transaction of its own, as a new one would be: its key under each subject its
 * accounting still lists, or under the vault key when it carried no one. Plain details
 * whose subjects were all erased since the migration are cleared, not sealed: no key is
 * left that should open them.
 */
import { z } from 'zod';
import type { VaultContext } from '../vault/vault-context.js';
import { loadDetailsVaultKey, sealDetails } from './disclosure-details.js';
import { accountedSubjectKeys, disclosuresWithPlainDetails, updateDetails } from './disclosure.repository.js';

const PlainDetails = z.record(z.string(), z.string());
const BATCH = 100;

export async function sealLegacyDetails(ctx: VaultContext): Promise<{ sealed: number; cleared: number }> {
  let sealed = 0;
  let cleared = 0;
  for (let batch = await disclosuresWithPlainDetails(ctx.db, BATCH); batch.length > 0; batch = await disclosuresWithPlainDetails(ctx.db, BATCH)) {
    const vaultKey = await loadDetailsVaultKey(ctx.db, ctx.keyring);
    for (const disclosure of batch) {
      await ctx.db.transaction().execute(async (trx) => {
        const subjects = await accountedSubjectKeys(trx, disclosure.id);
        const details = sealDetails(disclosure.id, PlainDetails.parse(JSON.parse(disclosure.details)));
        if (subjects.length === 0 && disclosure.subjectCount > 0) {
          await updateDetails(trx, disclosure.id, { details: '', detailsKey: null, subjectKeys: [] });
          cleared += 1;
          return;
        }
        await updateDetails(trx, disclosure.id, {
          details: details.details,
          detailsKey: subjects.length === 0 ? details.keyForNoOne(vaultKey) : null,
          subjectKeys: subjects.map((subject) => ({ subjectId: subject.subjectId, detailsKey: details.keyFor(subject.subjectId, ctx.keyring.unwrap(subject.key, subject.subjectId)) })),
        });
        sealed += 1;
      });
    }
  }
  return { sealed, cleared };
}
