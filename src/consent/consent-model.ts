/**
 * Which consent model a visitor gets, by where they are: the declaration's most specific
 * region that contains theirs (`US-CA`, then `US`, then a group such as `EU`), or its
 * default. A visitor whose region is not known gets the default.
 */
import type { ConsentModel, Declaration } from '../policy/declaration.js';

/** The member states of the European Union. */
export const EU = ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'] as const;
/** The European Economic Area: the EU with Iceland, Liechtenstein and Norway. */
export const EEA = [...EU, 'IS', 'LI', 'NO'] as const;

const groups: Readonly<Record<string, readonly string[]>> = { EU, EEA };

export interface VisitorModel {
  model: ConsentModel;
  /** The visitor's region as known (`FR`, `US-CA`), or null. */
  region: string | null;
}

/** How specific a declared region is for `region`: 3 subdivision, 2 country, 1 group; 0 when it does not contain it. */
function specificity(declared: string, region: string): number {
  const country = region.slice(0, 2);
  if (declared === region) return region.length > 2 ? 3 : 2;
  if (declared === country) return 2;
  return groups[declared]?.includes(country) ? 1 : 0;
}

export function consentModelFor(declaration: Declaration, region: string | null | undefined): VisitorModel {
  const known = region === undefined || region === null || region === '' ? null : region.toUpperCase();
  if (known === null) return { model: declaration.consentModels.default, region: null };
  let best: { model: ConsentModel; score: number } | undefined;
  for (const entry of declaration.consentModels.regions) {
    const score = Math.max(...entry.regions.map((declared) => specificity(declared, known)));
    if (score > 0 && (!best || score > best.score)) best = { model: entry.model, score };
  }
  return { model: best?.model ?? declaration.consentModels.default, region: known };
}

/** The declared regions of a model, as Google Consent Mode names them (groups spelled out as countries). */
export function regionsOfModel(declaration: Declaration, model: ConsentModel): string[] {
  return [...new Set(declaration.consentModels.regions.filter((entry) => entry.model === model).flatMap((entry) => entry.regions.flatMap((region) => groups[region] ?? [region])))];
}
