/**
 * The visitor's country, from a header the operator's proxy or CDN sets
 * (`VOW_COUNTRY_HEADER`, e.g. `cf-ipcountry`): never from a network lookup, and never
 * from the address itself, which Vow does not keep. Only a proxy that overwrites the
 * header should be trusted with it: without one, a client can send any value it likes.
 */

type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

/** ISO 3166-1 alpha-2. `XX` (Cloudflare's "unknown") and `T1` (Tor) are not countries. */
const alpha2 = /^[A-Z]{2}$/;
const notCountries: ReadonlySet<string> = new Set(['XX', 'ZZ']);

/**
 * The country the proxy named, or null (no header configured, none sent, or not a country code).
 *
 *   countryOf({ 'cf-ipcountry': 'FR' }, 'cf-ipcountry')  // 'FR'
 *   countryOf({ 'cf-ipcountry': 'T1' }, 'cf-ipcountry')  // null
 */
export function countryOf(headers: Headers, headerName: string | undefined): string | null {
  if (headerName === undefined) return null;
  const value = headers[headerName];
  return typeof value === 'string' && alpha2.test(value) && !notCountries.has(value) ? value : null;
}
