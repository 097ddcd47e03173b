/**
 * What an event keeps besides its clear dimensions (category, name, time, country), and
 * how it is sealed: one AES-256-GCM ciphertext under the subject's data key, bound to the
 * event id. Each kind of technical information keeps only the fields its declaration
 * describes: an address only in log data, the device model only in device information.
 */
import type { technicalKinds } from '../policy/declaration.js';
import { createCipheriv } from 'node:crypto';
import { open } from '../vault/aes-gcm.js';
import type { EventInput } from './event.js';
import type { Device } from './parse-device.js';

export type TechnicalKind = (typeof technicalKinds)[number];

export interface EventData {
  path?: string;
  features?: string[];
  action?: string;
  timeZone?: string;
  method?: string;
  status?: number;
  /** The truncated address (`203.0.113.0`, `2001:db8:1::`), never the full one. */
  ip?: string;
  device?: Partial<Device>;
}

/** Facts about the request, computed once per request and only when an accepted event needs them. */
export interface RequestFacts {
  device(): Device;
  truncatedIp(): string;
}

/** The path without its query string and fragment, which carry identifiers (`?email=`, `#token=`). */
export function pathOnly(path: string): string {
  const end = path.search(/[?#]/);
  return end === -1 ? path : path.slice(0, end);
}

function pageFields(event: EventInput, data: EventData): EventData {
  if (event.path !== undefined) data.path = pathOnly(event.path);
  if (event.features !== undefined) data.features = [...event.features];
  if (event.action !== undefined) data.action = event.action;
  if (event.timeZone !== undefined) data.timeZone = event.timeZone;
  return data;
}

/**
 * The fields kept for an event of this kind.
 *
 * - log data: method, path, status, truncated address, browser (the declaration's
 *   "IP address, browser type, date and time of the request, interaction");
 * - usage data: page, features, action, time zone, and browser, OS and device type;
 * - device information: browser, OS, device type and model;
 * - analytics and cookies: page, features, action, time zone.
 */
export function eventDataFor(kind: TechnicalKind, event: EventInput, facts: RequestFacts): EventData {
  switch (kind) {
    case 'log-data': {
      const { browser, browserVersion } = facts.device();
      const data: EventData = {};
      if (event.method !== undefined) data.method = event.method;
      if (event.path !== undefined) data.path = pathOnly(event.path);
      if (event.status !== undefined) data.status = event.status;
      data.ip = facts.truncatedIp();
      data.device = { browser, browserVersion };
      return data;
    }
    case 'usage-data': {
      const { browser, browserVersion, os, deviceType } = facts.device();
      return { ...pageFields(event, {}), device: { browser, browserVersion, os, deviceType } };
    }
    case 'device-information':
      return { device: facts.device() };
    case 'analytics':
    case 'cookies':
      return pageFields(event, {});
  }
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Holds an id of up to 64 characters (at most 192 bytes of UTF-8); setAAD hands the bytes to OpenSSL at once. */
const aadScratch = Buffer.allocUnsafe(192);

/**
 * `iv`: 12 fresh random bytes (the ingestor draws them from its pool). The same format as
 * the vault's `seal` (`v1.<base64 iv|tag|ciphertext>`, the event id as associated data),
 * so `openEventData` reads it; written out here because it runs once per stored event and
 * the general one copies each part twice (a fifth of its cost, the rest is OpenSSL's).
 */
export function sealEventData(dataKey: Buffer, eventId: string, data: EventData, iv: Buffer): string {
  if (iv.length !== IV_BYTES) throw new Error('the IV must be 12 bytes');
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(eventId.length <= 64 ? aadScratch.subarray(0, aadScratch.write(eventId, 'utf8')) : Buffer.from(eventId, 'utf8'));
  const body = cipher.update(JSON.stringify(data), 'utf8');
  // GCM is a stream mode: final() adds no bytes, but is what computes the tag.
  const tail = cipher.final();
  const sealed = Buffer.allocUnsafe(IV_BYTES + TAG_BYTES + body.length + tail.length);
  iv.copy(sealed, 0);
  cipher.getAuthTag().copy(sealed, IV_BYTES);
  body.copy(sealed, IV_BYTES + TAG_BYTES);
  tail.copy(sealed, IV_BYTES + TAG_BYTES + body.length);
  return `v1.${sealed.toString('base64')}`;
}

/** Throws when the data was altered, moved to another event, or sealed under another key. */
export function openEventData(dataKey: Buffer, eventId: string, sealed: string): EventData {
  return JSON.parse(open(dataKey, sealed, eventId).toString('utf8')) as EventData;
}
