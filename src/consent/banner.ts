/**
 * The consent banner as data: everything the browser SDK needs to ask, in one language,
 * and the hash of exactly what it shows, which each consent record then names.
 */
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import type { ConsentModeSignal, cookieTreatments, Declaration } from '../policy/declaration.js';
import { bannerLanguage, bannerLanguages, bannerStrings, type BannerLanguage, type BannerStrings } from './banner-strings.js';

export interface BannerCategory {
  id: string;
  name: string;
  description: string;
  /** Set before any choice; cannot be refused. */
  necessary: boolean;
  treatedAs: (typeof cookieTreatments)[number][];
  /** `pattern: true`: `name` is a regular expression (`^_ga_`). */
  cookies: { name: string; pattern: boolean }[];
  /** The Google Consent Mode signals allowing the category grants (not shown, so not in the banner's hash). */
  consentMode: ConsentModeSignal[];
}

export interface Banner {
  lang: BannerLanguage;
  /** The version the visitor is shown; sent back with the decision. */
  policyVersion: number;
  /** The newest material version (or the first): a decision made under an older one must be asked again. */
  lastMaterialVersion: number;
  strings: BannerStrings;
  categories: BannerCategory[];
  signals: Declaration['signals'];
  links: { notice: boolean; privacyUrl: '/privacy' };
  /** SHA-256 of the canonical JSON of `lang`, `strings` and `categories`: the texts shown. */
  bannerHash: string;
}

export interface BannerOptions {
  /** Requested language (`fr`, `fr-CA`); anything Vow does not speak falls back to English. */
  lang?: string | undefined;
  policyVersion: number;
  lastMaterialVersion: number;
}

/**
 * The banner for a declaration in a language.
 *
 *   bannerFor(declaration, { lang: 'fr', policyVersion: 3, lastMaterialVersion: 2 }).strings.acceptAll // 'Tout accepter'
 */
export function bannerFor(declaration: Declaration, options: BannerOptions): Banner {
  const lang = bannerLanguage(options.lang);
  const { strings, categories: shown, bannerHash } = shownTexts(declaration, lang);
  const categories = shown.map((category, index) => ({ ...category, consentMode: [...(declaration.cookies[index]?.consentMode ?? [])] }));
  return {
    lang,
    policyVersion: options.policyVersion,
    lastMaterialVersion: options.lastMaterialVersion,
    strings,
    categories,
    signals: { doNotTrack: declaration.signals.doNotTrack, globalPrivacyControl: declaration.signals.globalPrivacyControl },
    links: { notice: declaration.links.notice, privacyUrl: '/privacy' },
    bannerHash,
  };
}

function shownTexts(declaration: Declaration, lang: BannerLanguage): { strings: BannerStrings; categories: Omit<BannerCategory, 'consentMode'>[]; bannerHash: string } {
  const translated = declaration.translations?.[lang]?.cookies ?? {};
  const strings = { ...bannerStrings[lang] };
  const categories = declaration.cookies.map((group) => ({
    id: group.id,
    name: translated[group.id]?.name ?? group.name,
    description: translated[group.id]?.description ?? group.description,
    necessary: group.necessary,
    treatedAs: [...group.treatedAs],
    cookies: group.cookies.map((cookie) => ({ name: cookie.name, pattern: cookie.pattern })),
  }));
  return { strings, categories, bannerHash: sha256Hex(canonicalJson({ lang, strings, categories })) };
}

const hashesByDeclaration = new WeakMap<Declaration, ReadonlySet<string>>();

/** The hashes of this declaration's banner in every language Vow speaks: what a visitor can have been shown. */
export function bannerHashesOf(declaration: Declaration): ReadonlySet<string> {
  let hashes = hashesByDeclaration.get(declaration);
  if (!hashes) {
    hashes = new Set(bannerLanguages.map((lang) => shownTexts(declaration, lang).bannerHash));
    hashesByDeclaration.set(declaration, hashes);
  }
  return hashes;
}
