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
  /** What the settings show of each cookie, its duration in words of the banner's language. */
  cookieDetails: { name: string; provider: string; purpose: string; duration: string }[];
  /** The names of the recipients of what the category collects. */
  recipients: string[];
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
    cookieDetails: group.cookies.map((cookie) => ({ name: cookie.name, provider: cookie.provider, purpose: cookie.description, duration: durationWords(cookie.duration, lang) })),
    recipients: declaration.recipients
      .filter((recipient) => recipient.receives.some((receipt) => receipt.categories.some((category) => group.collects.includes(category))))
      .map((recipient) => recipient.name),
  }));
  return { strings, categories, bannerHash: sha256Hex(canonicalJson({ lang, strings, categories })) };
}

const durationUnits: Readonly<Record<BannerLanguage, Readonly<Record<string, [string, string]>>>> = {
  en: { Y: ['year', 'years'], M: ['month', 'months'], W: ['week', 'weeks'], D: ['day', 'days'], h: ['hour', 'hours'], m: ['minute', 'minutes'], s: ['second', 'seconds'] },
  fr: { Y: ['an', 'ans'], M: ['mois', 'mois'], W: ['semaine', 'semaines'], D: ['jour', 'jours'], h: ['heure', 'heures'], m: ['minute', 'minutes'], s: ['seconde', 'secondes'] },
};

/** `P1Y6M` → "1 year 6 months", `session` → "session", in the banner's language. */
export function durationWords(duration: string, lang: BannerLanguage): string {
  if (duration === 'session') return 'session';
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!match) return duration;
  const units = durationUnits[lang];
  const parts = ['Y', 'M', 'W', 'D', 'h', 'm', 's'].flatMap((unit, index) => {
    const value = match[index + 1];
    if (value === undefined || Number(value) === 0) return [];
    const [one, many] = units[unit] ?? [unit, unit];
    return [`${value} ${Number(value) === 1 ? one : many}`];
  });
  return parts.length > 0 ? parts.join(' ') : duration;
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
