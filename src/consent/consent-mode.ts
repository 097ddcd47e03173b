/**
 * Google Consent Mode v2 from the declaration: each cookie category grants the signals it
 * maps to. Before any choice every signal is denied but those of strictly necessary
 * categories; the SDK issues that default synchronously when it loads, before any tag
 * can run, and an update with each choice.
 */
import { consentModeSignals, type ConsentModeSignal, type Declaration } from '../policy/declaration.js';
import { regionsOfModel } from './consent-model.js';

export type ConsentModeState = Record<ConsentModeSignal, 'granted' | 'denied'>;

export interface ConsentModeDefaults {
  /** The `gtag('consent', 'default', …)` command's signals. */
  signals: ConsentModeState;
  /** Defaults of their own for the regions of the opt-out model (Consent Mode's `region`): everything granted until the visitor opts out. */
  regions: { region: string[]; signals: ConsentModeState }[];
  /** Milliseconds tags wait for the update the stored or new choice brings. */
  waitForUpdate: number;
}

/** How long Google's tags wait for the SDK's update after the default: the banner's data comes from Vow first. */
export const WAIT_FOR_UPDATE_MS = 500;

export function consentModeDefaults(declaration: Declaration): ConsentModeDefaults {
  const granted = new Set(declaration.cookies.filter((group) => group.necessary).flatMap((group) => group.consentMode));
  const signals = Object.fromEntries(consentModeSignals.map((signal) => [signal, granted.has(signal) ? 'granted' : 'denied'])) as ConsentModeState;
  const optOut = regionsOfModel(declaration, 'opt-out');
  const allGranted = Object.fromEntries(consentModeSignals.map((signal) => [signal, 'granted'])) as ConsentModeState;
  return { signals, regions: optOut.length > 0 ? [{ region: optOut, signals: allGranted }] : [], waitForUpdate: WAIT_FOR_UPDATE_MS };
}
