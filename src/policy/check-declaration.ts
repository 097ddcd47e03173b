/**
 * Consistency rules the schema alone cannot express: every reference points at
 * something declared, ids are unique, no recipient receives a category for a purpose
 * that category does not allow, and declared systems hold declared fields.
 */
import { AGE_GATE_COOKIE, ageGateFlagLifetime } from '../children/age-gate-flag.js';
import { consentBasedPurposes } from './legal-basis.js';
import { storedFieldNames } from '../collect/event-fields.js';
import { checkDeclaredSystems } from './check-declared-systems.js';
import type { Category, Declaration } from './declaration.js';

export type PathSegment = string | number;

export interface Finding {
  path: PathSegment[];
  message: string;
}

export interface CheckResult {
  errors: Finding[];
  warnings: Finding[];
}

/**
 * The page lists a technical category's fields as collected: each must be one Vow stores
 * for that kind, or say where else it is held (`heldIn`).
 */
function unstoredFields(category: Category, index: number): Finding[] {
  if (!category.technical) return [];
  const stored = storedFieldNames[category.technical];
  return category.fields.flatMap((field, fieldIndex) =>
    stored.includes(field.name) || field.heldIn !== undefined
      ? []
      : [
          {
            path: ['categories', index, 'fields', fieldIndex, 'name'],
            message: `Vow stores no "${field.name}" for ${category.technical} (it stores ${stored.join(', ')}): list only what is stored, or say where it is held (heldIn)`,
          },
        ],
  );
}

export function checkDeclaration(declaration: Declaration): CheckResult {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const purposeIds = new Set(declaration.purposes.map((purpose) => purpose.id));
  const categoriesById = new Map(declaration.categories.map((category) => [category.id, category]));

  const requireDeclared = (kind: 'purpose' | 'category', ids: readonly string[], path: PathSegment[]) => {
    const known: ReadonlySet<string> = kind === 'purpose' ? purposeIds : new Set(categoriesById.keys());
    ids.forEach((id, index) => {
      if (!known.has(id)) errors.push({ path: [...path, index], message: `undeclared ${kind} "${id}"` });
    });
  };

  errors.push(
    ...duplicates(declaration.purposes.map((p) => p.id), ['purposes'], 'id', 'purpose'),
    ...duplicates(declaration.categories.map((c) => c.id), ['categories'], 'id', 'category'),
    ...duplicates(declaration.recipients.map((r) => r.id), ['recipients'], 'id', 'recipient'),
    ...duplicates(declaration.cookies.map((c) => c.id), ['cookies'], 'id', 'cookie category'),
    ...duplicates(declaration.choices.map((c) => c.feature), ['choices'], 'feature', 'feature'),
    ...duplicates(declaration.socialPages.map((p) => p.platform), ['socialPages'], 'platform', 'social page'),
  );
  declaration.categories.forEach((category, index) => {
    errors.push(...duplicates(category.fields.map((f) => f.name), ['categories', index, 'fields'], 'name', 'field'));
    requireDeclared('purpose', category.purposes, ['categories', index, 'purposes']);
    errors.push(...unstoredFields(category, index));
  });

  const cookieNames = declaration.cookies.flatMap((group, groupIndex) =>
    group.cookies.map((cookie, cookieIndex) => ({ name: cookie.name, path: ['cookies', groupIndex, 'cookies', cookieIndex] })),
  );
  const seenCookies = new Set<string>();
  for (const cookie of cookieNames) {
    if (seenCookies.has(cookie.name)) {
      errors.push({ path: [...cookie.path, 'name'], message: `duplicate cookie "${cookie.name}"` });
    }
    seenCookies.add(cookie.name);
  }
  declaration.cookies.forEach((group, index) => {
    requireDeclared('category', group.collects, ['cookies', index, 'collects']);
  });
  // A signal granted by two categories would be granted by either: one category owns each.
  const signalOwners = new Map<string, string>();
  declaration.cookies.forEach((group, groupIndex) => {
    group.consentMode.forEach((signal, index) => {
      const owner = signalOwners.get(signal);
      if (owner !== undefined) errors.push({ path: ['cookies', groupIndex, 'consentMode', index], message: `Consent Mode signal "${signal}" is already mapped by cookie category "${owner}"` });
      else signalOwners.set(signal, group.id);
    });
  });
  const cookieCategoryIds = new Set(declaration.cookies.map((group) => group.id));
  for (const [language, translation] of Object.entries(declaration.translations ?? {})) {
    for (const id of Object.keys(translation.cookies ?? {})) {
      if (!cookieCategoryIds.has(id)) errors.push({ path: ['translations', language, 'cookies', id], message: `undeclared cookie category "${id}"` });
    }
  }

  if (declaration.aggregation) requireDeclared('purpose', declaration.aggregation.purposes, ['aggregation', 'purposes']);
  declaration.choices.forEach((choice, index) => {
    requireDeclared('category', choice.requires, ['choices', index, 'requires']);
  });

  declaration.recipients.forEach((recipient, recipientIndex) => {
    recipient.receives.forEach((receipt, receiptIndex) => {
      const path = ['recipients', recipientIndex, 'receives', receiptIndex];
      requireDeclared('category', receipt.categories, [...path, 'categories']);
      requireDeclared('purpose', receipt.purposes, [...path, 'purposes']);
      receipt.categories.forEach((categoryId, categoryIndex) => {
        const category = categoriesById.get(categoryId);
        if (!category) return;
        const disallowed = receipt.purposes.filter((purpose) => purposeIds.has(purpose) && !category.purposes.includes(purpose));
        for (const purpose of disallowed) {
          errors.push({
            path: [...path, 'categories', categoryIndex],
            message: `recipient "${recipient.id}" receives category "${categoryId}" for purpose "${purpose}", which that category does not allow (allowed: ${category.purposes.join(', ')})`,
          });
        }
      });
    });
    recipient.visibleToOtherUsers?.forEach((name, index) => {
      const path = ['recipients', recipientIndex, 'visibleToOtherUsers', index];
      const [categoryId = '', field = ''] = name.split('.');
      const category = categoriesById.get(categoryId);
      if (!category) errors.push({ path, message: `undeclared category "${categoryId}"` });
      else if (!category.fields.some((declared) => declared.name === field)) errors.push({ path, message: `category "${categoryId}" declares no field "${field}"` });
      else if (!recipient.receives.some((receipt) => receipt.categories.includes(categoryId))) {
        errors.push({ path, message: `recipient "${recipient.id}" does not receive category "${categoryId}"` });
      }
    });
  });

  errors.push(...checkDeclaredSystems(declaration));

  if (!declaration.cookies.some((group) => group.necessary) && declaration.cookies.length > 0) {
    warnings.push({ path: ['cookies'], message: 'no cookie category is marked necessary: the banner will have nothing to set before a choice' });
  }
  const gated = declaration.categories.some((category) => category.kind === 'account' && category.fields.some((field) => field.name === 'birthDate'));
  if (!gated && declaration.minimumAge > 0 && declaration.categories.some((category) => category.kind === 'account')) {
    warnings.push({
      path: ['minimumAge'],
      message: `the page says the Service is not for children under ${declaration.minimumAge}, yet the account category asks no birthDate: the age gate can refuse no one (only reports of a child's data are acted on)`,
    });
  }
  if (gated && declaration.minimumAge > 0 && ageGateFlagLifetime(declaration) === undefined) {
    warnings.push({
      path: ['cookies'],
      message: `no strictly necessary cookie "${AGE_GATE_COOKIE}" is declared: the age gate cannot remember a refusal, and invites a second try with another birth date`,
    });
  }
  if (declaration.signals.globalPrivacyControl === 'ignore') {
    declaration.cookies.forEach((group, index) => {
      if (group.treatedAs.some((treatment) => treatment === 'sale' || treatment === 'sharing')) {
        warnings.push({
          path: ['cookies', index, 'treatedAs'],
          message: `cookie category "${group.id}" amounts to sale or sharing, yet Global Privacy Control is ignored: California law requires honoring it`,
        });
      }
    });
  }
  if (declaration.changes.acceptance === 'continued-use') {
    const consentPurposes = consentBasedPurposes(declaration);
    if (consentPurposes.length > 0) {
      warnings.push({
        path: ['changes', 'acceptance'],
        message: `continued use is not consent under the GDPR: a material change to ${consentPurposes.join(', ')} (legal basis consent) must ask again`,
      });
    }
  }
  return { errors, warnings };
}

function duplicates(ids: readonly string[], path: PathSegment[], key: string, what: string): Finding[] {
  const seen = new Set<string>();
  const found: Finding[] = [];
  ids.forEach((id, index) => {
    if (seen.has(id)) found.push({ path: [...path, index, key], message: `duplicate ${what} "${id}"` });
    seen.add(id);
  });
  return found;
}
