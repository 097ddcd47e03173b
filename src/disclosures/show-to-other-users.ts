/**
 * What other users see of a subject: only the fields its visibility setting names,
 * decrypted, and accounted for as a disclosure to the other-users recipient — checked
 * against the declaration, recorded per subject, with its transfer when the data crosses.
 */
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import { VowError } from '../errors.js';
import { disclosureTransfers } from '../transfers/disclosure-transfers.js';
import { insertTransfers } from '../transfers/transfer.repository.js';
import { decryptFields } from '../vault/field-cipher.js';
import { newId } from '../vault/ids.js';
import type { VaultContext } from '../vault/vault-context.js';
import { checkDisclosure } from './check-disclosure.js';
import { sealDetails } from './disclosure-details.js';
import { insertDisclosure, readSubjectsForDisclosure } from './disclosure.repository.js';
import { defaultVisibility, purposeOfShowing, requireOtherUsersRecipient } from './visibility.js';
import { findVisibility } from './visibility.repository.js';

export interface ShownToOtherUsers {
  subjectId: string;
  /** `category.field` → value, for the visible fields the subject has data in. */
  fields: Record<string, string>;
  /** The disclosure that accounts for this showing; null when nothing was shown. */
  disclosureId: string | null;
}

export async function showToOtherUsers(ctx: VaultContext, options: { subjectId: string; actor: Actor; now?: Date }): Promise<ShownToOtherUsers> {
  const recipient = requireOtherUsersRecipient(ctx.declaration);
  const now = options.now ?? new Date();
  const createdAt = now.toISOString();
  const { subjectId } = options;

  const outcome = await ctx.db.transaction().execute(async (trx) => {
    const visible = (await findVisibility(trx, subjectId))?.fields ?? defaultVisibility(recipient);
    const wanted = new Map<string, Set<string>>();
    for (const name of visible) {
      const [category = '', field = ''] = name.split('.');
      const fields = wanted.get(category) ?? new Set<string>();
      fields.add(field);
      wanted.set(category, fields);
    }
    const subject = (await readSubjectsForDisclosure(trx, [subjectId], [...wanted.keys()])).get(subjectId);
    if (!subject) throw new VowError('not_found', `no subject ${subjectId}`);

    const shown: Record<string, string> = {};
    const dataKey = ctx.keyring.unwrap(subject.key, subjectId);
    if (subject.records.length > 0) {
      // Records come oldest first: a newer record's value of a field replaces an older one's.
      for (const record of subject.records) {
        const fields = wanted.get(record.category);
        for (const [name, value] of Object.entries(decryptFields(dataKey, record.id, record.data))) {
          if (fields?.has(name)) shown[`${record.category}.${name}`] = value;
        }
      }
    }
    const names = Object.keys(shown).sort();
    if (names.length === 0) return { result: { subjectId, fields: {}, disclosureId: null } };

    const categories = [...new Set(names.map((name) => name.split('.')[0] ?? ''))];
    const purpose = purposeOfShowing(recipient, categories);
    const verdict = checkDisclosure(ctx.declaration, { recipient: recipient.id, categories, purpose: purpose ?? '', country: recipient.countries[0] });
    if (!verdict.allowed) return { refused: { rule: verdict.rule, message: verdict.message } };
    const disclosureId = newId('rec').replace(/^rec_/, 'dis_');
    const transfers = disclosureTransfers(ctx.declaration, [{ id: subjectId, region: subject.region }], { to: verdict.country, disclosureId, now: createdAt });
    if (!transfers.allowed) return { refused: { rule: 'transfer-declared', message: transfers.message } };

    const line = canonicalJson({ subjectId, fields: shown });
    const manifest = { disclosureId, recipient: recipient.id, purpose, categories, fields: names, country: verdict.country, createdAt, lines: [{ subjectId, sha256: sha256Hex(line) }] };
    const manifestHash = sha256Hex(canonicalJson(manifest));
    const sealed = sealDetails(disclosureId, { channel: 'other-users', fields: names.join(',') });
    await insertDisclosure(
      trx,
      {
        id: disclosureId,
        recipient: recipient.id,
        purpose: purpose ?? '',
        categories,
        country: verdict.country,
        kind: 'disclosure',
        legalGround: null,
        silentUntil: null,
        // Field names, never their values: what was shown, not what it said.
        details: sealed.details,
        detailsKey: null,
        actor: options.actor,
        createdAt,
        subjectCount: 1,
        manifestHash,
      },
      [{ subjectId, detailsKey: sealed.keyFor(subjectId, dataKey) }],
    );
    await insertTransfers(trx, transfers.records);
    await appendAudit(
      trx,
      {
        actor: options.actor,
        action: 'disclosure.made',
        target: `disclosure:${disclosureId}`,
        data: { recipient: recipient.id, purpose: purpose ?? '', kind: 'other-users', subjects: 1, fields: names.join(','), manifest: manifestHash },
      },
      now,
    );
    return { result: { subjectId, fields: shown, disclosureId } };
  });
  if (outcome.result) return outcome.result;
  const { rule, message } = outcome.refused;
  await ctx.db.transaction().execute((trx) =>
    appendAudit(trx, { actor: options.actor, action: 'disclosure.refused', target: `recipient:${recipient.id}`, data: { purpose: 'other-users', rule } }, now),
  );
  throw new VowError('forbidden', `${message} (rule: ${rule})`);
}
