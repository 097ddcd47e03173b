/**
 * A declaration written in the console: previewed before it is published (every problem
 * at once, what changes against the version in force, the page and the banner it would
 * give), then published as the next version, which every running server enforces as soon
 * as it sees it.
 */
import type { Kysely } from 'kysely';
import { bannerFor, type Banner } from '../consent/banner.js';
import { VowError, type Problem } from '../errors.js';
import type { Database } from '../store/schema.js';
import { diffDeclarations, type PolicyChange } from './diff-declarations.js';
import { parseDeclaration } from './load-declaration.js';
import { contentHash } from './policy-content.js';
import { findLastMaterialNumber, findLatestVersion, findVersion } from './policy-version.repository.js';
import { publicDeclaration } from './public-declaration.js';
import { publishPolicy, type PublishOutcome } from './publish-policy.js';
import { renderPolicy } from './render-policy.js';

export type Preview =
  | { ok: false; problems: Problem[]; warnings: Problem[] }
  | { ok: true; problems: []; warnings: Problem[]; changes: PolicyChange[]; unchanged: boolean; page: string; banner: Pick<Banner, 'strings' | 'categories'> };

export async function previewDeclaration(db: Kysely<Database>, text: string, options: { material: boolean; now?: Date }): Promise<Preview> {
  const parsed = parseDeclaration(text);
  if (!parsed.ok) return { ok: false, problems: parsed.problems, warnings: parsed.warnings };
  const latest = await findLatestVersion(db);
  const inForce = latest && (await findVersion(db, latest.number));
  const number = (latest?.number ?? 0) + 1;
  const version = { number, hash: contentHash(parsed.declaration), publishedAt: (options.now ?? new Date()).toISOString(), material: options.material };
  const lastMaterial = options.material ? number : ((await findLastMaterialNumber(db)) ?? number);
  const banner = bannerFor(parsed.declaration, { lang: 'en', policyVersion: number, lastMaterialVersion: lastMaterial });
  return {
    ok: true,
    problems: [],
    warnings: parsed.warnings,
    changes: inForce ? diffDeclarations(publicDeclaration(inForce.declaration), publicDeclaration(parsed.declaration)) : [],
    unchanged: latest?.hash === version.hash,
    page: renderPolicy(parsed.declaration, version, 'html'),
    banner: { strings: banner.strings, categories: banner.categories },
  };
}

/** Publishes the declaration as the next version; a declaration with problems is refused with all of them. */
export async function publishDeclarationText(db: Kysely<Database>, options: { text: string; material: boolean; actor: string; now?: Date }): Promise<PublishOutcome> {
  const parsed = parseDeclaration(options.text);
  if (!parsed.ok) throw new VowError('invalid_declaration', `the declaration has ${parsed.problems.length === 1 ? 'a problem' : `${parsed.problems.length} problems`}; nothing was published`, parsed.problems);
  return publishPolicy(db, { declaration: parsed.declaration, material: options.material, actor: options.actor, ...(options.now ? { now: options.now } : {}) });
}
