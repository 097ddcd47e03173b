/**
 * Where Vow's own requests may go. A webhook URL is an administrator's input, and a
 * request to it is made from inside the operator's network: unless the operator allows
 * it, no webhook reaches loopback, private, link-local, shared, multicast or reserved
 * addresses (the cloud metadata service among them). The address checked is the one
 * connected to (`guardedLookup` resolves for the socket itself), so a name that resolves
 * to a public address when registered and to a private one when used (DNS rebinding)
 * is refused too.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { VowError } from '../errors.js';
import { unmapIpv4 } from '../ip-address.js';

const notPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  notPublic.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  notPublic.addSubnet(network, prefix, 'ipv6');
}

/** Whether an address is one a webhook may reach without the operator's leave. */
export function isPublicAddress(address: string): boolean {
  const plain = unmapIpv4(address);
  const version = isIP(plain);
  if (version === 0) return false;
  return !notPublic.check(plain, version === 4 ? 'ipv4' : 'ipv6');
}

function refusal(): VowError {
  return new VowError('bad_request', 'the webhook URL leads to a loopback, private or reserved address', [{ path: 'url', message: 'leads to a non-public address' }]);
}

/** The URL's host when it is an address rather than a name (`[::1]` as `::1`). */
export function addressLiteralOf(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) === 0 ? undefined : host;
}

/** Refuses a URL whose host is, or resolves to, a non-public address (at registration: the early, friendly check). */
export async function checkDestination(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const literal = addressLiteralOf(url);
  const addresses = literal !== undefined ? [literal] : await resolveAll(url.hostname);
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) throw refusal();
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve) => {
    dnsLookup(host, { all: true }, (error, found: LookupAddress[]) => {
      resolve(error ? [] : found.map((entry) => entry.address));
    });
  });
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for a socket: resolves as Node would, and fails the connection when any answer is not public. */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
      if (error) {
        callback(error, []);
        return;
      }
      if (!allowPrivate && !found.every((entry) => isPublicAddress(entry.address))) {
        callback(Object.assign(new Error('non-public address'), { code: 'EADDRNOTPUBLIC' }), []);
        return;
      }
      if (options.all) callback(null, found);
      else callback(null, found[0]?.address ?? '', found[0]?.family ?? 4);
    });
  };
}
