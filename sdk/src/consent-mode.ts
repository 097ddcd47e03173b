/**
 * Google Consent Mode v2, Google Tag Manager and any other tag. When vow.js loads, before
 * any tag after it can run, it issues `gtag('consent', 'default', …)`: every signal denied
 * but those of strictly necessary categories (the server writes the declaration's
 * defaults ahead of the script), waiting for the update the stored or new choice brings.
 * Every choice, withdrawal and honored opt-out signal then issues `gtag('consent',
 * 'update', …)`, pushes a `vow_consent` event onto the dataLayer for Tag Manager, and
 * tells `Vow.onConsent` listeners.
 */
import type { BannerCategory } from './types.js';

const SIGNALS = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage', 'functionality_storage', 'personalization_storage', 'security_storage'] as const;
export type ConsentSignal = (typeof SIGNALS)[number];
export type SignalState = Record<ConsentSignal, 'granted' | 'denied'>;

/** Why the consent changed: the visitor chose, a stored choice was applied, an opt-out signal was honored, or the opt-out model's notice applies (no choice yet). */
export type ConsentReason = 'choice' | 'stored' | 'signal' | 'notice';

export interface ConsentChange {
  /** Each cookie category, allowed or not. */
  categories: Record<string, boolean>;
  /** Whether the visitor is opted out of each: a category treated as it is not allowed. */
  optOuts: { sale: boolean; sharing: boolean; advertising: boolean };
  signals: SignalState;
  reason: ConsentReason;
}

type Gtag = (...args: unknown[]) => void;

interface TagWindow {
  dataLayer?: unknown[];
  gtag?: Gtag;
  __vowConsentMode?: { signals: SignalState; regions?: { region: string[]; signals: SignalState }[]; waitForUpdate: number };
}

const tagWindow = window as unknown as TagWindow;

/** gtag.js's own definition: a command is the `arguments` object pushed as is, which is how tags tell commands from events. */
const pushArguments = function (this: unknown) {
  // eslint-disable-next-line prefer-rest-params -- the Arguments object itself is gtag.js's command format
  (tagWindow.dataLayer ??= []).push(arguments);
};

const listeners: ((change: ConsentChange) => void)[] = [];
let latest: ConsentChange | undefined;

/** The default, issued once, synchronously, as the script runs. */
export function consentDefault(): void {
  tagWindow.dataLayer ??= [];
  if (typeof tagWindow.gtag !== 'function') tagWindow.gtag = pushArguments;
  const defaults = tagWindow.__vowConsentMode;
  const signals = defaults?.signals ?? (Object.fromEntries(SIGNALS.map((signal) => [signal, 'denied'])) as SignalState);
  const wait = defaults?.waitForUpdate ?? 500;
  // Regions of the opt-out model first (Consent Mode gives a region's default precedence whatever the order), then everyone else.
  for (const entry of defaults?.regions ?? []) tagWindow.gtag('consent', 'default', { ...entry.signals, region: entry.region, wait_for_update: wait });
  tagWindow.gtag('consent', 'default', { ...signals, wait_for_update: wait });
}

/** Issues the update for what is allowed now, pushes the Tag Manager event, and tells the listeners. */
export function consentUpdate(categories: readonly BannerCategory[], allowed: (category: BannerCategory) => boolean, reason: ConsentReason): void {
  const signals = Object.fromEntries(SIGNALS.map((signal) => [signal, 'denied'])) as SignalState;
  const byCategory: Record<string, boolean> = {};
  const optOuts = { sale: false, sharing: false, advertising: false };
  for (const category of categories) {
    const yes = allowed(category);
    byCategory[category.id] = yes;
    if (yes) for (const signal of category.consentMode) signals[signal] = 'granted';
    else for (const treatment of category.treatedAs) if (treatment === 'sale' || treatment === 'sharing' || treatment === 'advertising') optOuts[treatment] = true;
  }
  (tagWindow.gtag ?? pushArguments)('consent', 'update', signals);
  (tagWindow.dataLayer ??= []).push({ event: 'vow_consent', vow_consent: byCategory, vow_consent_reason: reason });
  latest = { categories: byCategory, optOuts, signals, reason };
  for (const listener of listeners) call(listener, latest);
}

/** A listener that throws must not keep the others, or the SDK, from going on. */
function call(listener: (change: ConsentChange) => void, change: ConsentChange): void {
  try {
    listener(change);
  } catch (error) {
    console.error(error);
  }
}

/** Adds a listener, called at once with the consent in force when there is one; returns its removal. */
export function onConsent(listener: (change: ConsentChange) => void): () => void {
  listeners.push(listener);
  if (latest) call(listener, latest);
  return () => {
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  };
}
