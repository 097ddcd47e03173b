/**
 * Opt-out preference signals: Global Privacy Control (`Sec-GPC: 1`) and Do Not Track
 * (`DNT: 1`), and what the declaration makes of them. Pure: the banner, the consent
 * records and event ingestion all ask the same two functions.
 */
import type { Declaration } from '../policy/declaration.js';

export interface Signals {
  /** `Sec-GPC: 1` was present (exactly "1": `0`, `true` or `1, 1` are not the signal). */
  gpc: boolean;
  /** `DNT: 1` was present. */
  dnt: boolean;
}

export type SignalName = keyof Signals;

/** What an opt-out preference signal opts out of (CCPA "sale" and "sharing", and targeted advertising). */
const optOutTreatments: ReadonlySet<string> = new Set(['sale', 'sharing', 'advertising']);

/** Request headers as Node gives them (lower-case names); other casings are found too. */
export type SignalHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: SignalHeaders, name: string): string | readonly string[] | undefined {
  if (name in headers) return headers[name];
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/**
 * The signals a request carries.
 *
 *   readSignals({ 'sec-gpc': '1' })  // { gpc: true, dnt: false }
 *   readSignals({ 'sec-gpc': 'true' }) // { gpc: false, dnt: false }
 */
export function readSignals(headers: SignalHeaders): Signals {
  return { gpc: header(headers, 'sec-gpc') === '1', dnt: header(headers, 'dnt') === '1' };
}

/** The signals present that the declaration honors (`gpc` before `dnt`). */
export function honoredSignals(declaration: Pick<Declaration, 'signals'>, signals: Signals): SignalName[] {
  const honored: SignalName[] = [];
  if (signals.gpc && declaration.signals.globalPrivacyControl === 'honor') honored.push('gpc');
  if (signals.dnt && declaration.signals.doNotTrack === 'honor') honored.push('dnt');
  return honored;
}

/**
 * The cookie categories a visitor opts out of by these signals, as the page says: an
 * honored Global Privacy Control opts out of those the declaration treats as sale,
 * sharing or advertising; an honored Do Not Track, of every category that is not strictly
 * necessary. Strictly necessary categories are never opted out of. In declaration order.
 *
 *   optOutCategories(airobotics, { gpc: true, dnt: false })  // ['advertising']
 *   optOutCategories(consentFirst, { gpc: false, dnt: true })  // ['analytics', 'advertising']
 */
export function optOutCategories(declaration: Pick<Declaration, 'signals' | 'cookies'>, signals: Signals): string[] {
  const honored = honoredSignals(declaration, signals);
  if (honored.length === 0) return [];
  return declaration.cookies
    .filter((group) => !group.necessary && (honored.includes('dnt') || group.treatedAs.some((treatment) => optOutTreatments.has(treatment))))
    .map((group) => group.id);
}
