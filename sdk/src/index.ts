/**
 * Vow's browser SDK: the consent banner generated from the declaration, scripts and
 * embeds held back until their category is allowed, cookie deletion on withdrawal,
 * outbound-link protection, usage data sent only with consent, and the preference form
 * for purposes based on consent. No dependencies.
 *
 *   <script src="/sdk/vow.js" defer></script>
 *   <div data-vow-purposes></div>  <!-- the preference form, when the declaration has such purposes -->
 *
 * Attributes of that script tag: `data-endpoint` (the Vow server, default the script's
 * origin), `data-lang` (the banner's language, default the browser's), and
 * `data-vow-manual` (do not start by itself; call `Vow.init`).
 */
import { askFor, blockedEmbed, createBanner, type Banner } from './banner.js';
import { activate, categoryOf, pendingElements, watchPending } from './blocked-scripts.js';
import { createCollector, type Collector, type TrackProps } from './collector.js';
import { CONSENT_COOKIE, readConsent, writeConsent, type StoredConsent } from './consent-cookie.js';
import { consentDefault, consentUpdate, onConsent as addConsentListener, type ConsentChange, type ConsentReason } from './consent-mode.js';
import { deleteCookies } from './cookies.js';
import { announce, h } from './dom.js';
import { guardLinks } from './links.js';
import { createPurposeForm } from './purpose-form.js';
import { injectStyles } from './styles.js';
import type { BannerCategory, BannerData, Choice, Choices, ConsentAnswer, PurposeAnswer, PurposeFormData } from './types.js';

export interface InitOptions {
  /** The Vow server's origin (default: where vow.js was loaded from). */
  endpoint?: string;
  /** The banner's language (`en`, `fr`, …); default the browser's (Accept-Language). */
  lang?: string;
}

interface State {
  endpoint: string;
  data: BannerData;
  stored: StoredConsent | undefined;
  optedOut: Set<string>;
  /** Categories an element was let in for, this page only ("once"): their cookies are left until the next page. */
  once: Set<string>;
  banner: Banner;
  collector: Collector;
}

const script = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;
// Now, as the script runs: tags placed after vow.js find every signal denied but the necessary ones.
consentDefault();
let started: Promise<void> | undefined;
let state: State | undefined;

/** The stored decision, when it was made under the policy in force (a newer material version asks again). */
function current(s: State): StoredConsent | undefined {
  return s.stored && s.stored.policyVersion >= s.data.lastMaterialVersion ? s.stored : undefined;
}

function choiceOf(s: State, category: BannerCategory): Choice {
  if (category.necessary) return 'granted';
  if (s.optedOut.has(category.id)) return 'refused';
  // Before any choice: off where consent comes first (opt-in), on until refused where notice is enough (opt-out).
  return current(s)?.choices[category.id] ?? (s.data.consentModel === 'opt-out' ? 'granted' : 'refused');
}

function choicesOf(s: State): Choices {
  const choices: Choices = {};
  for (const category of s.data.categories) if (!category.necessary) choices[category.id] = choiceOf(s, category);
  return choices;
}

/**
 * The categories this browser's honored signals opt out of, as the page says: Global
 * Privacy Control those amounting to sale, sharing or advertising; Do Not Track every
 * category that is not strictly necessary.
 */
function optedOutBySignals(data: BannerData): Set<string> {
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  const gpc = data.signals.globalPrivacyControl === 'honor' && nav.globalPrivacyControl === true;
  const dnt = data.signals.doNotTrack === 'honor' && nav.doNotTrack === '1';
  return new Set(data.categories.filter((item) => !item.necessary && (dnt || (gpc && item.treatedAs.length > 0))).map((item) => item.id));
}

/** Makes the page match the choices: cookies of what is not allowed deleted, the rest loaded, asks shown, collecting on or off. */
function apply(s: State): void {
  for (const category of s.data.categories) {
    const choice = choiceOf(s, category);
    if (choice !== 'granted' && !s.once.has(category.id)) deleteCookies(category.cookies);
    if (choice !== 'ask') for (const prompt of Array.from(document.querySelectorAll(`[data-vow-ask="${CSS.escape(category.id)}"]`))) prompt.remove();
    for (const element of pendingElements(category.id)) held(s, element);
  }
  const collecting = s.collector.enabled;
  const visitorId = current(s)?.visitorId ?? '';
  if (visitorId && s.data.categories.some((category) => !category.necessary && choiceOf(s, category) === 'granted')) {
    s.collector.enable(visitorId);
    if (!collecting) s.collector.add('page_view');
  } else s.collector.disable();
}

/** The placeholders shown in place of blocked embeds. */
const placeholders = new WeakMap<Element, HTMLElement>();

/**
 * A held-back element: loaded when its category is allowed, asked about when the visitor
 * wants to be asked, and, for an embed the visitor refused (or has not decided on), a
 * placeholder saying why it is missing, with a button that allows its category.
 */
function held(s: State, element: Element): void {
  const category = s.data.categories.find((item) => item.id === categoryOf(element));
  if (!category) return;
  const choice = choiceOf(s, category);
  const asked = element.hasAttribute('data-vow-asked');
  if (choice !== 'ask') element.removeAttribute('data-vow-asked');
  const placeholder = placeholders.get(element);
  if (choice === 'refused' && !(element instanceof HTMLScriptElement) && element.isConnected) {
    // An opt-out signal refuses it whatever is clicked: no button then.
    if (!placeholder && !s.optedOut.has(category.id))
      placeholders.set(
        element,
        blockedEmbed(element, category, s.data, () => {
          void decide(s, { ...choicesOf(s), [category.id]: 'granted' });
        }),
      );
  } else if (placeholder) {
    placeholders.delete(element);
    const hadFocus = placeholder.contains(document.activeElement);
    placeholder.remove();
    // Focus follows the button to what it let in, or to its prompt.
    if (hadFocus && element instanceof HTMLElement) queueMicrotask(() => { (document.querySelector<HTMLElement>(`[data-vow-ask="${CSS.escape(category.id)}"]`) ?? element).focus(); });
  }
  if (choice === 'granted') activate(element);
  else if (choice === 'ask' && !asked) {
    element.setAttribute('data-vow-asked', '');
    askFor(element, category, s.data, (answer) => {
      element.removeAttribute('data-vow-asked');
      if (answer === 'once') {
        s.once.add(category.id);
        activate(element);
      } else if (answer === 'always') {
        void decide(s, { ...choicesOf(s), [category.id]: 'granted' });
      }
    });
  }
}

/** Tells the tags (Consent Mode, Tag Manager, `Vow.onConsent`) what is allowed now. */
function tellTags(s: State, reason: ConsentReason): void {
  consentUpdate(s.data.categories, (category) => choiceOf(s, category) === 'granted', reason);
}

/** Records a decision (`POST /v1/consent`), stores it in the cookie and applies it. */
async function decide(s: State, choices: Choices, reason: ConsentReason = 'choice'): Promise<void> {
  s.banner.close();
  // What was collected under the decision in force goes out before it changes.
  s.collector.flush();
  const granted = Object.keys(choices).filter((id) => choices[id] === 'granted');
  const refused = Object.keys(choices).filter((id) => choices[id] !== 'granted');
  const previous = current(s) ?? s.stored;
  let visitorId = previous?.visitorId ?? '';
  try {
    const response = await fetch(`${s.endpoint}/v1/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...(visitorId ? { visitorId } : {}),
        granted,
        refused,
        source: 'banner',
        policyVersion: s.data.policyVersion,
        bannerHash: s.data.bannerHash,
      }),
    });
    if (response.ok) {
      const answer = (await response.json()) as ConsentAnswer;
      visitorId = answer.visitorId;
      for (const id of answer.refused) if (choices[id] === 'granted') choices[id] = 'refused';
    }
  } catch {
    // Not recorded: the choice still holds in this browser.
  }
  s.stored = { visitorId, policyVersion: s.data.policyVersion, choices };
  writeConsent(s.stored);
  apply(s);
  tellTags(s, reason);
  if (reason === 'choice') announce(s.data.strings.saved);
}

/** Whether Vow still knows this visitor; true when it cannot tell (offline), so a decision is not lost to a network error. */
async function visitorKnown(endpoint: string, visitorId: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/v1/consent/visitors/${encodeURIComponent(visitorId)}`);
    return !response.ok || ((await response.json()) as { known: boolean }).known;
  } catch {
    return true;
  }
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Vow: ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** Records the form's decisions (`POST /v1/consent/purposes`) with the texts it showed; what is consented to now, or undefined when not recorded. */
async function savePurposes(s: State, data: PurposeFormData, granted: string[], withdrawn: string[]): Promise<string[] | undefined> {
  const visitorId = s.stored?.visitorId;
  try {
    const response = await fetch(`${s.endpoint}/v1/consent/purposes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...(visitorId ? { visitorId } : {}), granted, withdrawn, policyVersion: data.policyVersion, textHash: data.textHash }),
    });
    if (!response.ok) return undefined;
    const answer = (await response.json()) as PurposeAnswer;
    if (!visitorId && answer.visitorId) {
      // The banner's decision, when there is one, keeps its choices; version 0 keeps the banner asking when there is none.
      s.stored = { policyVersion: 0, choices: {}, ...s.stored, visitorId: answer.visitorId };
      writeConsent(s.stored);
    }
    return answer.consented;
  } catch {
    return undefined;
  }
}

/** Shows the preference form in `element`, checked as the person decided; nothing when no purpose rests on consent. */
async function mountPurposes(s: State, element: Element): Promise<HTMLFormElement | undefined> {
  const visitorId = s.stored?.visitorId;
  // A form that cannot show the decisions in force is not shown: unchecked boxes would misstate them.
  const [data, current] = await Promise.all([
    getJson<PurposeFormData>(`${s.endpoint}/v1/consent/purposes`),
    visitorId ? getJson<PurposeAnswer>(`${s.endpoint}/v1/consent/purposes/visitors/${encodeURIComponent(visitorId)}`) : { consented: [] },
  ]);
  if (data.purposes.length === 0) return undefined;
  const form = createPurposeForm({
    data,
    consented: current.consented,
    strings: s.data.strings,
    save: (granted, withdrawn) => savePurposes(s, data, granted, withdrawn),
  });
  element.replaceChildren(form);
  return form;
}

async function start(options: InitOptions): Promise<void> {
  const endpoint = (options.endpoint ?? script?.getAttribute('data-endpoint') ?? (script?.src ? new URL(script.src).origin : location.origin)).replace(/\/$/, '');
  const lang = options.lang ?? script?.getAttribute('data-lang') ?? undefined;
  const response = await fetch(`${endpoint}/v1/consent/banner${lang ? `?lang=${encodeURIComponent(lang)}` : ''}`);
  if (!response.ok) throw new Error(`Vow: the banner could not be loaded (${response.status})`);
  const data = (await response.json()) as BannerData;
  // A decision whose visitor Vow no longer knows (erased, or never recorded) is not honored: the banner asks again.
  let stored = readConsent();
  if (stored?.visitorId && !(await visitorKnown(endpoint, stored.visitorId))) {
    deleteCookies([{ name: CONSENT_COOKIE, pattern: false }]);
    stored = undefined;
  }
  injectStyles();
  const optedOut = optedOutBySignals(data);
  const privacyUrl = new URL(data.links.privacyUrl, `${endpoint}/`).href;
  const s: State = {
    endpoint,
    data,
    stored,
    optedOut,
    once: new Set(),
    collector: createCollector(endpoint),
    banner: createBanner({
      data,
      privacyUrl,
      optedOut,
      choices: () => choicesOf(s),
      decided: () => current(s) !== undefined,
      // Version 0 is the preference form's placeholder, not a banner choice.
      askingAgain: () => s.stored !== undefined && s.stored.policyVersion > 0 && current(s) === undefined,
      decide: (choices) => {
        void decide(s, choices);
      },
    }),
  };
  state = s;

  guardLinks({ notice: data.links.notice, texts: data.strings });
  const links = Array.from(document.querySelectorAll('[data-vow-settings],a[href="#privacy-settings"]'));
  if (links.length === 0)
    document.body.append(h('button', { type: 'button', class: 'vow-settings-link', 'data-vow-settings': true }, data.strings.privacySettings));
  document.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('[data-vow-settings],a[href="#privacy-settings"]')) {
      event.preventDefault();
      s.banner.settings();
    }
  });
  watchPending((element) => {
    held(s, element);
  });

  const decision = current(s);
  // A decision that an honored signal now contradicts is recorded again, with the signal applied.
  if (decision && Object.keys(decision.choices).some((id) => optedOut.has(id) && decision.choices[id] === 'granted')) await decide(s, choicesOf(s), 'signal');
  else {
    apply(s);
    // A stored choice, or an honored signal before any, is news to the tags waiting on the default.
    if (decision) tellTags(s, 'stored');
    else if (optedOut.size > 0) tellTags(s, 'signal');
    else if (data.consentModel === 'opt-out') tellTags(s, 'notice');
  }
  if (!decision) s.banner.ask();
  await Promise.all(
    Array.from(document.querySelectorAll('[data-vow-purposes]'), (element) =>
      mountPurposes(s, element).catch((error: unknown) => {
        // The banner and the choices stand without the form.
        console.error(error);
      }),
    ),
  );
}

/**
 * Starts the SDK: fetches the banner from the Vow server, applies the stored choices (or
 * shows the banner when there are none, or when a material policy change asks again),
 * and releases the held-back scripts the visitor allowed. Runs by itself unless the
 * script tag has `data-vow-manual`; calling it again returns the first call's promise.
 *
 * Elements marked `data-vow-purposes` get the preference form (see `purposes`).
 *
 * @param options `endpoint`: the Vow server (default: vow.js's origin); `lang`: the banner's language.
 * @returns A promise settled when the banner is loaded, the choices applied and the preference forms shown.
 * @example
 *   <script src="/sdk/vow.js" data-vow-manual defer></script>
 *   <script src="/site.js" defer></script>
 *   // site.js
 *   Vow.init({ lang: 'fr' }).then(() => console.log('consent ready'));
 */
export function init(options: InitOptions = {}): Promise<void> {
  return (started ??= start(options));
}

/**
 * Opens the privacy settings, where each category can be allowed, refused or set to
 * "ask each time", and every choice withdrawn as easily as it was given. Elements with
 * `data-vow-settings` (or links to `#privacy-settings`) open them too.
 *
 * @example
 *   document.querySelector('#cookies')?.addEventListener('click', () => Vow.openSettings());
 */
export function openSettings(): void {
  state?.banner.settings();
}

/**
 * Records a usage event (a feature used, an action), sent with the next batch when the
 * page is hidden. Nothing is kept unless the visitor allowed a category that collects it.
 *
 * @param name The event's name, e.g. `feature` or `action` (at most 64 characters).
 * @param props `features` used, the `action` taken, and the declared data `category` (default `usage-data`).
 * @returns Whether the event was kept.
 * @example
 *   Vow.track('feature', { features: ['robot-configurator'] });
 *   Vow.track('action', { action: 'download-brochure' });
 */
export function track(name: string, props?: TrackProps): boolean {
  return state ? state.collector.add(name, props) : false;
}

/**
 * Whether a cookie category is allowed now: strictly necessary ones always; others only
 * after the visitor granted them under the policy in force, and never when an honored
 * opt-out preference signal (Global Privacy Control) refuses them. False before `init` settles.
 *
 * @param category A cookie category id of the declaration, e.g. `analytics`.
 * @example
 *   if (Vow.hasConsent('analytics')) loadHeatmap();
 */
export function hasConsent(category: string): boolean {
  const s = state;
  const item = s?.data.categories.find((candidate) => candidate.id === category);
  return s !== undefined && item !== undefined && choiceOf(s, item) === 'granted';
}

/**
 * Shows the preference form for purposes whose legal basis is consent (a newsletter, say)
 * in `element`, replacing what it holds: a checkbox per purpose in the declaration's words,
 * checked as the person decided, and a save button that grants what is checked and
 * withdraws what is not. Each decision is recorded with the policy version and the hash
 * of the texts shown. Elements marked `data-vow-purposes` get one when the SDK starts;
 * this is for those added later. Starts the SDK first if it has not started.
 *
 * @param element Where the form goes.
 * @returns The form, or undefined when the declaration has no purpose based on consent.
 * @example
 *   const slot = document.createElement('div');
 *   document.querySelector('#account')?.append(slot);
 *   Vow.purposes(slot).then((form) => form?.querySelector('input')?.focus());
 */
export async function purposes(element: Element): Promise<HTMLFormElement | undefined> {
  await init();
  return state ? mountPurposes(state, element) : undefined;
}

/**
 * Calls `listener` with the consent in force each time it changes (a choice, a withdrawal,
 * an honored Global Privacy Control signal) and once at once when there is one already:
 * for tags that are not Google's. `categories` says which cookie categories are allowed,
 * `signals` the Google Consent Mode state, `reason` why (`choice`, `stored`, `signal`).
 *
 * @returns A function that removes the listener.
 * @example
 *   Vow.onConsent(({ categories }) => {
 *     if (categories.analytics) startHeatmap(); else stopHeatmap();
 *   });
 */
export function onConsent(listener: (change: ConsentChange) => void): () => void {
  return addConsentListener(listener);
}

declare global {
  interface Window {
    Vow: {
      init: typeof init;
      openSettings: typeof openSettings;
      track: typeof track;
      hasConsent: typeof hasConsent;
      purposes: typeof purposes;
      onConsent: typeof onConsent;
    };
  }
}

window.Vow = { init, openSettings, track, hasConsent, purposes, onConsent };

if (!script?.hasAttribute('data-vow-manual')) {
  const auto = () => {
    init().catch((error: unknown) => {
      console.error(error);
    });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', auto);
  else auto();
}
