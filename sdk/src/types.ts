/** The shapes the SDK reads from Vow's consent API (docs/consent-api.md). */
import type { ConsentSignal } from './consent-mode.js';

/** A cookie of a category: `pattern: true` makes `name` a regular expression (`^_ga_`). */
export interface CookieRule {
  name: string;
  pattern: boolean;
}

export interface BannerCategory {
  id: string;
  name: string;
  description: string;
  /** Strictly necessary: set before any choice, cannot be refused. */
  necessary: boolean;
  /** `sale`, `sharing`, `advertising`: what an opt-out preference signal opts out of. */
  treatedAs: string[];
  cookies: CookieRule[];
  /** Each cookie as the settings list it. */
  cookieDetails: { name: string; provider: string; purpose: string; duration: string }[];
  /** Who receives what the category collects. */
  recipients: string[];
  /** The Google Consent Mode signals allowing it grants. */
  consentMode: ConsentSignal[];
}

export type StringKey =
  | 'title'
  | 'intro'
  | 'introOptOut'
  | 'acceptAll'
  | 'rejectAll'
  | 'choose'
  | 'save'
  | 'alwaysActive'
  | 'askEachTime'
  | 'once'
  | 'always'
  | 'no'
  | 'privacySettings'
  | 'privacyPolicy'
  | 'signalHonored'
  | 'leavingNotice'
  | 'continue'
  | 'close'
  | 'purposesTitle'
  | 'saved'
  | 'notSaved'
  | 'categoriesAsked'
  | 'askAgain'
  | 'cookie'
  | 'provider'
  | 'cookiePurpose'
  | 'duration'
  | 'sharedWith'
  | 'blockedEmbed'
  | 'allowCategory';

/** `GET /v1/consent/banner`. */
export interface BannerData {
  lang: string;
  policyVersion: number;
  lastMaterialVersion: number;
  strings: Record<StringKey, string>;
  categories: BannerCategory[];
  signals: { doNotTrack: 'honor' | 'ignore'; globalPrivacyControl: 'honor' | 'ignore' };
  links: { notice: boolean; privacyUrl: string };
  bannerHash: string;
  /** The model for the visitor's region: `opt-in` (nothing optional before a choice) or `opt-out` (notice, on until refused). */
  consentModel: 'opt-in' | 'opt-out';
  region: string | null;
}

/** `POST /v1/consent` answers with what was recorded. */
export interface ConsentAnswer {
  visitorId: string;
  granted: string[];
  refused: string[];
  signalsHonored: string[];
}

/** `GET /v1/consent/purposes`: the purposes based on consent, in the declaration's words. */
export interface PurposeFormData {
  policyVersion: number;
  organization: string;
  purposes: { id: string; description: string }[];
  /** Sent back with the decisions: the texts shown are part of their proof. */
  textHash: string;
}

/** `POST /v1/consent/purposes` and `GET /v1/consent/purposes/visitors/:id` answer what the person consents to now. */
export interface PurposeAnswer {
  visitorId?: string;
  consented: string[];
}

/** A visitor's choice for one cookie category; `ask` is recorded as refused and asked each time. */
export type Choice = 'granted' | 'refused' | 'ask';
export type Choices = Record<string, Choice>;
