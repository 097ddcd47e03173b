/**
 * Social-media data from the company's pages: interactions become records of the
 * declared social category, each under the subject known by its handle on that platform;
 * the platforms' analytics are kept as aggregates, never per person.
 */
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { VowError } from '../errors.js';
import type { Category } from '../policy/declaration.js';
import type { Fields } from './field-cipher.js';
import { newId } from './ids.js';
import type { SocialExport, SocialInteraction } from './social/parse-social-export.js';
import { findOrCreateSubject, storeRecord } from './subject-store.js';
import { categoryOfKind } from './validate-fields.js';
import type { VaultContext } from './vault-context.js';

export interface SocialImportResult {
  importId: string;
  interactions: number;
  subjects: number;
  newSubjects: number;
  aggregates: number;
}

/** Aggregate values are stored as 32-bit integers on every database. */
const MAX_AGGREGATE = 2 ** 31 - 1;

/** The declared fields an interaction fills; what the declaration does not list is not kept. */
function fieldsOf(category: Category, interaction: SocialInteraction): Fields {
  const candidate: Record<string, string | undefined> = {
    handle: interaction.handle,
    platform: interaction.platform,
    name: interaction.name,
    email: interaction.email,
    interaction: interaction.interaction === '' ? undefined : interaction.interaction,
  };
  const declared = new Set(category.fields.map((field) => field.name));
  const fields: Fields = {};
  for (const [name, value] of Object.entries(candidate)) {
    if (value !== undefined && declared.has(name)) fields[name] = value;
  }
  return fields;
}

export async function importSocial(ctx: VaultContext, options: { data: SocialExport; actor: Actor; now?: Date }): Promise<SocialImportResult> {
  const { interactions, aggregates } = options.data;
  const category = interactions.length > 0 ? categoryOfKind(ctx.declaration.categories, 'social') : undefined;
  const tooLarge = aggregates.findIndex((aggregate) => aggregate.value > MAX_AGGREGATE);
  if (tooLarge >= 0) {
    throw new VowError('bad_request', `aggregates[${tooLarge}].value must be at most ${MAX_AGGREGATE}`, [
      { path: `aggregates[${tooLarge}].value`, message: `must be at most ${MAX_AGGREGATE}` },
    ]);
  }
  const now = options.now ?? new Date();
  const importId = newId('agg').replace(/^agg_/, 'imp_');
  return ctx.db.transaction().execute(async (trx) => {
    const subjects = new Set<string>();
    let newSubjects = 0;
    for (const interaction of interactions) {
      if (!category) break;
      const subject = await findOrCreateSubject(ctx, trx, {
        kind: 'social',
        identifiers: [
          { kind: `social:${interaction.platform}`, value: interaction.handle },
          ...(interaction.email ? [{ kind: 'email' as const, value: interaction.email }] : []),
        ],
        now: now.toISOString(),
      });
      if (subject.created) newSubjects += 1;
      subjects.add(subject.id);
      await storeRecord(trx, subject, {
        category: category.id,
        source: `social:${interaction.platform}:${interaction.kind}`,
        fields: fieldsOf(category, interaction),
        // Retention counts from when the person interacted, not from when the file was imported.
        now: interaction.occurredAt,
      });
    }
    for (const aggregate of aggregates) {
      await trx
        .insertInto('social_aggregates')
        .values({ id: newId('agg'), platform: aggregate.platform, metric: aggregate.metric, period: aggregate.period, value: aggregate.value, imported_at: now.toISOString() })
        .onConflict((conflict) => conflict.columns(['platform', 'metric', 'period']).doUpdateSet({ value: aggregate.value, imported_at: now.toISOString() }))
        .execute();
    }
    const result = { importId, interactions: interactions.length, subjects: subjects.size, newSubjects, aggregates: aggregates.length };
    await appendAudit(trx, { actor: options.actor, action: 'social.imported', target: `import:${importId}`, data: { ...result } }, now);
    return result;
  });
}
