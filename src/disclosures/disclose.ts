/**
 * A disclosure of subjects' data to a declared recipient: checked against the
 * declaration, packaged as JSON lines with a signed manifest of their hashes, and
 * accounted for per subject, all in one transaction.
 */
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import { VowError } from '../errors.js';
import { eventIdIn, openEvents, type EventData } from '../collect/event-data.js';
import { decryptFields, type Fields } from '../vault/field-cipher.js';
import { newId } from '../vault/ids.js';
import type { VaultContext } from '../vault/vault-context.js';
import { checkDisclosure, type DisclosureRule } from './check-disclosure.js';
import { loadDetailsVaultKey, sealDetails } from './disclosure-details.js';
import { insertTransfers } from '../transfers/transfer.repository.js';
import { disclosureTransfers } from '../transfers/disclosure-transfers.js';
import { insertDisclosure, readSubjectsForDisclosure, subjectsHolding } from './disclosure.repository.js';
import { placeHoldIn } from '../erasure/legal-holds.js';
import { saleOptedOutAmong } from '../requests/sale-opt-out.js';
import { consentedPurposesOf } from '../consent/purpose-consent.repository.js';
import { purposeNeedsConsent } from '../policy/legal-basis.js';
import type { LegalGround } from './legal-grounds.js';
import type { SigningKey } from './signing-key.js';

export const disclosureKinds = ['disclosure', 'business-transfer', 'legal-request'] as const;
export type DisclosureKind = (typeof disclosureKinds)[number];

export interface DiscloseOptions {
  recipient: string;
  categories: readonly string[];
  purpose: string;
  country?: string;
  /** Named subjects, or every subject holding any of the categories. */
  subjects: { ids: readonly string[] } | { holding: true };
  kind?: DisclosureKind;
  /** Details: for a legal request, the authority, legal process and scope; sealed so the subjects' erasure shreds them (`disclosure-details.ts`). */
  details?: Record<string, string>;
  /** Legal requests: which of the policy's grounds (i)–(v) the disclosure rests on (required for them). */
  legalGround?: LegalGround;
  /** Legal requests: until when (ISO 8601) the subjects may not be told; their access export shows it after. */
  silentUntil?: string;
  /** Legal requests only: also place a legal hold on the disclosed categories of every disclosed subject. */
  legalHold?: { reason: string };
  actor: Actor;
  now?: Date;
}

export interface Manifest {
  disclosureId: string;
  recipient: string;
  purpose: string;
  categories: string[];
  country: string;
  kind: DisclosureKind;
  createdAt: string;
  lines: { subjectId: string; sha256: string }[];
}

export interface DisclosurePackage {
  manifest: Manifest;
  manifestHash: string;
  /** Ed25519 over the manifest's canonical JSON. */
  signature: string;
  /** One JSON object per subject: `{ subjectId, categories: { id: [{ id, collectedAt, fields }] } }`. */
  lines: string[];
}

const PAGE = 500;

export async function disclose(ctx: VaultContext, signing: SigningKey, options: DiscloseOptions): Promise<DisclosurePackage> {
  const now = options.now ?? new Date();
  const kind = options.kind ?? 'disclosure';
  const categories = [...new Set(options.categories)];
  const verdict = checkDisclosure(ctx.declaration, { recipient: options.recipient, categories, purpose: options.purpose, country: options.country });

  const refuse = async (rule: DisclosureRule, message: string): Promise<never> => {
    await ctx.db.transaction().execute((trx) =>
      appendAudit(trx, { actor: options.actor, action: 'disclosure.refused', target: `recipient:${options.recipient}`, data: { purpose: options.purpose, rule } }, now),
    );
    throw new VowError('forbidden', `${message} (rule: ${rule})`);
  };

  if (!verdict.allowed) return refuse(verdict.rule, verdict.message);
  if (kind === 'legal-request' && options.legalGround === undefined) {
    throw new VowError('bad_request', 'a legal request names the ground it rests on, (i) to (v) of the policy', [{ path: 'legalGround', message: 'is required for kind legal-request' }]);
  }
  if (kind !== 'legal-request' && (options.legalGround !== undefined || options.silentUntil !== undefined)) {
    const path = options.legalGround !== undefined ? 'legalGround' : 'silentUntil';
    throw new VowError('bad_request', `${path} is for legal requests only`, [{ path, message: 'needs kind legal-request' }]);
  }
  if (options.legalHold && kind !== 'legal-request') {
    throw new VowError('bad_request', 'legalHold is for legal requests only', [{ path: 'legalHold', message: 'needs kind legal-request' }]);
  }

  const details = options.details ?? {};
  // Only a disclosure that turns out to carry no one needs it; loaded here, outside the transaction.
  const noOneKey = Object.keys(details).length === 0 ? undefined : await loadDetailsVaultKey(ctx.db, ctx.keyring);

  const outcome = await ctx.db.transaction().execute(async (trx) => {
    const subjectIds: string[] = [];
    if ('ids' in options.subjects) {
      subjectIds.push(...new Set(options.subjects.ids));
    } else {
      for (let page = await subjectsHolding(trx, categories, '', PAGE); page.length > 0; page = await subjectsHolding(trx, categories, page.at(-1) ?? '', PAGE)) {
        subjectIds.push(...page);
      }
    }
    const disclosureId = newId('rec').replace(/^rec_/, 'dis_');
    const createdAt = now.toISOString();
    const lines: string[] = [];
    // Only subjects with something of these categories are disclosed, and so accounted for.
    const disclosed: { id: string; region: string | null; dataKey: Buffer }[] = [];
    const optedOut: string[] = [];
    // A purpose based on consent carries only the subjects who gave it, and still do.
    const needsConsent = purposeNeedsConsent(ctx.declaration, options.purpose);
    const withoutConsent: string[] = [];
    // A batch at a time: two queries per 500 subjects rather than one per subject.
    for (let start = 0; start < subjectIds.length; start += PAGE) {
      const batch = subjectIds.slice(start, start + PAGE);
      const found = await readSubjectsForDisclosure(trx, batch, categories);
      const saleOptOuts = verdict.sale ? await saleOptedOutAmong(trx, batch) : new Set<string>();
      const consented = needsConsent ? await consentedPurposesOf(trx, batch, [options.purpose]) : undefined;
      for (const subjectId of batch) {
        const subject = found.get(subjectId);
        if (!subject) throw new VowError('not_found', `no subject ${subjectId}`);
        if (subject.records.length === 0 && subject.events.length === 0) continue;
        if (saleOptOuts.has(subjectId)) {
          optedOut.push(subjectId);
          continue;
        }
        if (consented && !consented.get(subjectId)?.has(options.purpose)) {
          withoutConsent.push(subjectId);
          continue;
        }
        const dataKey = ctx.keyring.unwrap(subject.key, subjectId);
        disclosed.push({ id: subjectId, region: subject.region, dataKey });
        const byCategory: Record<string, { id: string; collectedAt: string; fields: Fields | (EventData & { name: string }) }[]> = {};
        for (const record of subject.records) {
          (byCategory[record.category] ??= []).push({ id: record.id, collectedAt: record.collectedAt, fields: decryptFields(dataKey, record.id, record.data) });
        }
        // Technical information: each event on its own, as the access export lists it.
        for (const row of subject.events) {
          const events = openEvents(dataKey, row.id, row.data, row.occurredAt);
          for (const [index, { occurredAt, ...fields }] of events.entries()) {
            (byCategory[row.category] ??= []).push({ id: eventIdIn(row.id, index, events.length), collectedAt: occurredAt, fields: { name: row.name, ...fields } });
          }
        }
        lines.push(JSON.stringify({ subjectId, categories: byCategory }));
      }
    }
    // Named subjects who opted out are refused, not quietly dropped: the caller asked for them.
    if (optedOut.length > 0 && 'ids' in options.subjects) {
      return { refused: `${optedOut.length} of the subjects opted out of the sale and sharing of their data`, rule: 'sale-opt-out' } as const;
    }
    if (withoutConsent.length > 0 && 'ids' in options.subjects) {
      return { refused: `${withoutConsent.length} of the subjects have not consented to "${options.purpose}", which rests on consent`, rule: 'purpose-consent' } as const;
    }
    // Data of subjects collected elsewhere crosses to the recipient's country: each crossing needs a declared transfer.
    const transfers = disclosureTransfers(ctx.declaration, disclosed, { to: verdict.country, disclosureId, now: createdAt });
    if (!transfers.allowed) return { refused: transfers.message, rule: 'transfer-declared' } as const;

    const manifest: Manifest = {
      disclosureId,
      recipient: options.recipient,
      purpose: options.purpose,
      categories,
      country: verdict.country,
      kind,
      createdAt,
      lines: lines.map((line, index) => ({ subjectId: disclosed[index]?.id ?? '', sha256: sha256Hex(line) })),
    };
    const canonical = canonicalJson(manifest);
    const manifestHash = sha256Hex(canonical);
    const sealed = sealDetails(disclosureId, details);
    await insertDisclosure(
      trx,
      {
        id: manifest.disclosureId,
        recipient: manifest.recipient,
        purpose: manifest.purpose,
        categories,
        country: manifest.country,
        kind,
        details: sealed.details,
        detailsKey: disclosed.length === 0 && noOneKey ? sealed.keyForNoOne(noOneKey) : null,
        actor: options.actor,
        createdAt: manifest.createdAt,
        subjectCount: disclosed.length,
        manifestHash,
        legalGround: options.legalGround ?? null,
        silentUntil: options.silentUntil ?? null,
      },
      disclosed.map((subject) => ({ subjectId: subject.id, detailsKey: sealed.keyFor(subject.id, subject.dataKey) })),
    );
    await insertTransfers(trx, transfers.records);
    for (const subject of options.legalHold ? disclosed : []) {
      await placeHoldIn(ctx, trx, {
        subjectId: subject.id,
        reason: options.legalHold?.reason ?? '',
        categories,
        actor: options.actor,
        source: 'legal-request',
        disclosureId,
        now,
      });
    }
    await appendAudit(
      trx,
      {
        actor: options.actor,
        action: 'disclosure.made',
        target: `disclosure:${manifest.disclosureId}`,
        data: { recipient: manifest.recipient, purpose: manifest.purpose, kind, subjects: disclosed.length, transfers: transfers.records.length, manifest: manifestHash },
      },
      now,
    );
    return { package: { manifest, manifestHash, signature: signing.sign(Buffer.from(canonical)), lines } };
  });
  if (outcome.package) return outcome.package;
  return refuse(outcome.rule, outcome.refused);
}
