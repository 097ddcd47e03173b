/**
 * What an event keeps besides its clear dimensions (category, name, country), and how a
 * row's events are sealed: one AES-256-GCM ciphertext under the subject's data key, bound
 * to the row id, holding each event's own time and fields. Each kind of technical
 * information keeps only the fields its declaration describes: an address only in log
 * data, the device model only in device information.
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
  /** The browser's preferred language (`fr-FR`): the "browser settings" of log data. */
  language?: string;
  device?: Partial<Device>;
}

/** An event as a row holds it: its own time (ISO 8601), its name when the row's is `custom`, then the fields its kind keeps. */
export interface StoredEvent extends EventData {
  occurredAt: string;
  name?: string;
}

/** Facts about the request, computed once per request and only when an accepted event needs them. */
export interface RequestFacts {
  device(): Device;
  truncatedIp(): string;
  language: string | undefined;
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
 * - log data: method, path, status, truncated address, browser and its preferred
 *   language (the declaration's "IP address, browser type and settings, date and time
 *   of the request, interaction");
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
      if (facts.language !== undefined) data.language = facts.language;
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
 * the vault's `seal` (`v1.<base64 iv|tag|ciphertext>`, the row id as associated data),
 * so `openEvents` reads it; written out here because it runs once per stored row and
 * the general one copies each part twice (a fifth of its cost, the rest is OpenSSL's).
 */
export function sealEvents(dataKey: Buffer, rowId: string, events: readonly StoredEvent[], iv: Buffer): string {
  if (iv.length !== IV_BYTES) throw new Error('the IV must be 12 bytes');
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(rowId.length <= 64 ? aadScratch.subarray(0, aadScratch.write(rowId, 'utf8')) : Buffer.from(rowId, 'utf8'));
  const body = cipher.update(JSON.stringify(events), 'utf8');
  // GCM is a stream mode: final() adds no bytes, but is what computes the tag.
  const tail = cipher.final();
  const sealed = Buffer.allocUnsafe(IV_BYTES + TAG_BYTES + body.length + tail.length);
  iv.copy(sealed, 0);
  cipher.getAuthTag().copy(sealed, IV_BYTES);
  body.copy(sealed, IV_BYTES + TAG_BYTES);
  tail.copy(sealed, IV_BYTES + TAG_BYTES + body.length);
  return `v1.${sealed.toString('base64')}`;
}

/**
 * The row's events, in the order they were sent. Rows written before events were
 * grouped hold one event's fields, without its time: the row's own `occurredAt` is it.
 * Throws when the data was altered, moved to another row, or sealed under another key.
 */
export function openEvents(dataKey: Buffer, rowId: string, sealed: string, rowOccurredAt: string): StoredEvent[] {
  const opened = JSON.parse(open(dataKey, sealed, rowId).toString('utf8')) as StoredEvent[] | EventData;
  return Array.isArray(opened) ? opened : [{ occurredAt: rowOccurredAt, ...opened }];
}

/** The id of the `index`th of a row's `count` events, as the access export and disclosures list them: the row's id, then `.1`, `.2`… when it holds several. */
export function eventIdIn(rowId: string, index: number, count: number): string {
  return count === 1 ? rowId : `${rowId}.${index + 1}`;
}
