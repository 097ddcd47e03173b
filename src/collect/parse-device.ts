/**
 * Device information from the user agent and, when the browser sends them, User-Agent
 * Client Hints (`Sec-CH-UA`, `Sec-CH-UA-Platform`, `Sec-CH-UA-Mobile`, `Sec-CH-UA-Model`).
 * Chromium browsers freeze parts of the user-agent string (Android 10, model "K"), so the
 * hints win where both speak. Pure and synchronous; the ingestor caches the results.
 */
import { UAParser } from 'ua-parser-js';

export const deviceTypes = ['desktop', 'mobile', 'tablet', 'console', 'smarttv', 'wearable', 'embedded', 'unknown'] as const;
export type DeviceType = (typeof deviceTypes)[number];

export interface Device {
  browser: string | null;
  /** Major version only: enough to tell browsers apart, too coarse to fingerprint with. */
  browserVersion: string | null;
  os: string | null;
  deviceType: DeviceType;
  model: string | null;
}

/** The hint headers as sent (structured-field text), each optional. */
export interface ClientHints {
  /** `Sec-CH-UA`: `"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"`. */
  ua?: string | undefined;
  /** `Sec-CH-UA-Platform`: `"Windows"`. */
  platform?: string | undefined;
  /** `Sec-CH-UA-Mobile`: `?1` or `?0`. */
  mobile?: string | undefined;
  /** `Sec-CH-UA-Model`: `"Pixel 7"` (sent only when the site asks for it with Accept-CH). */
  model?: string | undefined;
}

/** Longer headers are not parsed: no browser sends them, and parsing cost grows with length. */
const MAX_USER_AGENT = 512;
const MAX_HINT = 256;

type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

const single = (value: string | readonly string[] | undefined, max: number): string | undefined =>
  typeof value === 'string' && value.length <= max ? value : undefined;

/** A BCP 47 language tag as browsers send them (`en`, `fr-FR`, `zh-Hant-TW`). */
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8}){0,3}$/;

/**
 * The browser's first preferred language (`Accept-Language: fr-FR,fr;q=0.9` → `fr-FR`):
 * the browser setting log data keeps. Undefined when absent, a wildcard or malformed.
 */
export function preferredLanguage(header: string | readonly string[] | undefined): string | undefined {
  const first = typeof header === 'string' ? header.slice(0, MAX_HINT).split(',')[0]?.split(';')[0]?.trim() : undefined;
  return first !== undefined && LANGUAGE_TAG.test(first) ? first : undefined;
}

/** The user agent, hint and language headers of a request (Node's lower-case names). */
export function deviceHeadersOf(headers: Headers): { userAgent: string | undefined; hints: ClientHints; language: string | undefined } {
  return {
    language: preferredLanguage(headers['accept-language']),
    userAgent: typeof headers['user-agent'] === 'string' ? headers['user-agent'].slice(0, MAX_USER_AGENT) : undefined,
    hints: {
      ua: single(headers['sec-ch-ua'], MAX_HINT),
      platform: single(headers['sec-ch-ua-platform'], MAX_HINT),
      mobile: single(headers['sec-ch-ua-mobile'], MAX_HINT),
      model: single(headers['sec-ch-ua-model'], MAX_HINT),
    },
  };
}

const knownTypes: ReadonlySet<string> = new Set(deviceTypes);
/** The parser's names, spelled as the platform hint spells them. */
const osNames: Readonly<Record<string, string>> = { 'Mac OS': 'macOS', 'Chromium OS': 'Chrome OS' };
/** Brand names of the `Sec-CH-UA` list, spelled as the parser spells them from the user agent. */
const brandNames: Readonly<Record<string, string>> = { 'Google Chrome': 'Chrome', 'Microsoft Edge': 'Edge' };
/** Placeholder models of reduced user agents. */
const placeholderModels: ReadonlySet<string> = new Set(['K', '']);

/**
 * Browser, OS, device type and model.
 *
 *   parseDevice('Mozilla/5.0 (Linux; Android 10; K) … Chrome/124.0.0.0 Mobile Safari/537.36',
 *     { ua: '"Google Chrome";v="124", "Chromium";v="124", "Not-A.Brand";v="99"', platform: '"Android"', mobile: '?1', model: '"Pixel 7"' })
 *   // { browser: 'Chrome', browserVersion: '124', os: 'Android', deviceType: 'mobile', model: 'Pixel 7' }
 */
export function parseDevice(userAgent: string | undefined, hints: ClientHints = {}): Device {
  const parsed = new UAParser((userAgent ?? '').slice(0, MAX_USER_AGENT)).getResult();
  const brand = significantBrand(hints.ua);
  const platform = sfString(hints.platform);
  const hintModel = sfString(hints.model);
  const mobile = hints.mobile === '?1' ? true : hints.mobile === '?0' ? false : undefined;

  const browser = brand?.name ?? parsed.browser.name ?? null;
  const browserVersion = brand ? brand.major : (parsed.browser.major ?? majorOf(parsed.browser.version));
  const parsedOs = parsed.os.name === undefined ? null : (osNames[parsed.os.name] ?? parsed.os.name);
  const os = platform !== undefined && platform !== '' && platform !== 'Unknown' ? platform : parsedOs;
  const model = hintModel !== undefined && !placeholderModels.has(hintModel) ? hintModel : usableModel(parsed.device.model);

  let deviceType: DeviceType | undefined =
    parsed.device.type !== undefined && knownTypes.has(parsed.device.type) ? (parsed.device.type as DeviceType) : undefined;
  // `?1` means the browser asks for the mobile experience, which tablets do not.
  if (mobile === true) deviceType = 'mobile';
  deviceType ??= browser !== null || os !== null ? 'desktop' : 'unknown';

  return { browser, browserVersion, os, deviceType, model };
}

function usableModel(model: string | undefined): string | null {
  return model === undefined || placeholderModels.has(model) ? null : model;
}

function majorOf(version: string | undefined): string | null {
  const major = version?.split('.')[0];
  return major !== undefined && /^\d+$/.test(major) ? major : null;
}

/** A structured-field string (`"Pixel 7"`), unquoted; undefined when absent or malformed. */
function sfString(value: string | undefined): string | undefined {
  const match = value === undefined ? null : /^\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(value);
  return match?.[1]?.replace(/\\(.)/g, '$1');
}

const brandItem = /"((?:[^"\\]|\\.)*)"\s*;\s*v\s*=\s*"((?:[^"\\]|\\.)*)"/g;
/** GREASE entries ("Not A;Brand", "Not/A)Brand", …) exist only to keep parsers honest. */
const grease = /not.a.brand/i;

/** The browser's own brand in a `Sec-CH-UA` list: not a GREASE entry, and Chromium only when nothing else is named. */
function significantBrand(value: string | undefined): { name: string; major: string | null } | undefined {
  if (value === undefined) return undefined;
  const brands = [...value.matchAll(brandItem)]
    .map(([, name = '', version = '']) => ({ name: name.replace(/\\(.)/g, '$1'), major: majorOf(version) }))
    .filter((brand) => brand.name !== '' && !grease.test(brand.name));
  const chosen = brands.find((brand) => brand.name !== 'Chromium') ?? brands[0];
  return chosen && { name: brandNames[chosen.name] ?? chosen.name, major: chosen.major };
}
