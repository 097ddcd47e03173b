/**
 * A disclosure of subjects' data to a declared recipient: checked against the
 * declaration, packaged as JSON lines with a signed manifest of their hashes, and
 * accounted for per subject, all in one transaction.
 */
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import { VowError } from '../errors.js';
import { decryptFields, type Fields } from '../vault/field-cipher.js';
import { newId } from '../vault/ids.js';
import { findKeyAndRecords } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import { checkDisclosure } from './check-disclosure.js';
import { insertDisclosure, subjectsHolding } from './disclosure.repository.js';
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
  /** Non-personal details: for a legal request, the authority, legal process and scope. */
  details?: Record<string, string>;
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
  if (!verdict.allowed) {
    await ctx.db.transaction().execute((trx) =>
      appendAudit(trx, { actor: options.actor, action: 'disclosure.refused', target: `recipient:${options.recipient}`, data: { purpose: options.purpose, rule: verdict.rule } }, now),
    );
    throw new VowError('forbidden', `${verdict.message} (rule: ${verdict.rule})`);
  }

  return ctx.db.transaction().execute(async (trx) => {
    const subjectIds: string[] = [];
    if ('ids' in options.subjects) {
      subjectIds.push(...new Set(options.subjects.ids));
    } else {
      for (let page = await subjectsHolding(trx, categories, '', PAGE); page.length > 0; page = await subjectsHolding(trx, categories, page.at(-1) ?? '', PAGE)) {
        subjectIds.push(...page);
      }
    }
    const lines: string[] = [];
    // Only subjects with something of these categories are disclosed, and so accounted for.
    const disclosed: string[] = [];
    for (const subjectId of subjectIds) {
      const found = await findKeyAndRecords(trx, subjectId, categories);
      if (!found) throw new VowError('not_found', `no subject ${subjectId}`);
      if (found.records.length === 0) continue;
      disclosed.push(subjectId);
      const dataKey = ctx.keyring.unwrap(found.key, subjectId);
      const byCategory: Record<string, { id: string; collectedAt: string; fields: Fields }[]> = {};
      for (const record of found.records) {
        (byCategory[record.category] ??= []).push({ id: record.id, collectedAt: record.collectedAt, fields: decryptFields(dataKey, record.id, record.data) });
      }
      lines.push(JSON.stringify({ subjectId, categories: byCategory }));
    }
    const manifest: Manifest = {
      disclosureId: newId('rec').replace(/^rec_/, 'dis_'),
      recipient: options.recipient,
      purpose: options.purpose,
      categories,
      country: verdict.country,
      kind,
      createdAt: now.toISOString(),
      lines: lines.map((line, index) => ({ subjectId: disclosed[index] ?? '', sha256: sha256Hex(line) })),
    };
    const canonical = canonicalJson(manifest);
    const manifestHash = sha256Hex(canonical);
    await insertDisclosure(
      trx,
      {
        id: manifest.disclosureId,
        recipient: manifest.recipient,
        purpose: manifest.purpose,
        categories,
        country: manifest.country,
        kind,
        details: options.details ?? {},
        actor: options.actor,
        createdAt: manifest.createdAt,
        subjectCount: disclosed.length,
        manifestHash,
      },
      disclosed,
    );
    await appendAudit(
      trx,
      {
        actor: options.actor,
        action: 'disclosure.made',
        target: `disclosure:${manifest.disclosureId}`,
        data: { recipient: manifest.recipient, purpose: manifest.purpose, kind, subjects: disclosed.length, manifest: manifestHash },
      },
      now,
    );
    return { manifest, manifestHash, signature: signing.sign(Buffer.from(canonical)), lines };
  });
}
