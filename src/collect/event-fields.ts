/**
 * What an event of each kind of technical information may carry, and which event names
 * may be kept in the clear. A field the kind does not collect is refused by name (the
 * event is dropped as `undeclared-field`), so strictly necessary cookies, say, never
 * carry the page or the actions of a visitor who refused everything else. An event name
 * is stored in the clear only when it is one of the category's declared `eventNames`
 * (or the kind's own, when none are declared); any other name, free text from the public,
 * is sealed with the event and its row says `custom`.
 */
import type { Category } from '../policy/declaration.js';
import type { EventInput } from './event.js';
import type { TechnicalKind } from './event-data.js';

/** The fields of `EventInput` besides category, name and time. */
export const eventFields = ['path', 'features', 'action', 'timeZone', 'method', 'status'] as const;
export type EventField = (typeof eventFields)[number];

const page: readonly EventField[] = ['path', 'features', 'action', 'timeZone'];

export const fieldsOfKind: Readonly<Record<TechnicalKind, readonly EventField[]>> = {
  'log-data': ['method', 'path', 'status'],
  'usage-data': page,
  analytics: page,
  // What the device is comes from the request's headers, never from the event.
  'device-information': [],
  // The cookie category's own records (consent) are Vow's; an event of it carries nothing more.
  cookies: [],
};

export const namesOfKind: Readonly<Record<TechnicalKind, readonly string[]>> = {
  'log-data': ['request'],
  'usage-data': ['page_view', 'feature', 'action'],
  analytics: ['page_view', 'feature', 'action'],
  'device-information': ['device'],
  cookies: ['consent', 'cookie_set'],
};

/**
 * The field names a declaration may list for each kind of technical information, each
 * naming something Vow stores for it (`eventDataFor`, the row's time and country), so
 * that the page lists as collected only what is stored. Anything else needs `heldIn`.
 */
export const storedFieldNames: Readonly<Record<TechnicalKind, readonly string[]>> = {
  // method, path and status are the "interaction"; the language is the browser setting kept.
  'log-data': ['ipAddress', 'browserType', 'browserSettings', 'language', 'requestedAt', 'interaction', 'method', 'path', 'status'],
  'usage-data': ['content', 'pages', 'features', 'actions', 'timeZone', 'country', 'accessedAt', 'userAgent', 'browser', 'operatingSystem', 'deviceType'],
  'device-information': ['deviceName', 'deviceModel', 'operatingSystem', 'browser', 'deviceType'],
  analytics: ['clientId', 'pageViews', 'pages', 'events', 'features', 'actions', 'timeZone', 'accessedAt', 'country'],
  // The visitor id in the consent cookie, and the decisions recorded under it.
  cookies: ['cookieId', 'consent'],
};

/** The clear name of an event whose name is outside the vocabulary; the real one is sealed. */
export const CUSTOM_NAME = 'custom';

/** The fields an event carries that its kind does not collect, in `eventFields` order. */
export function undeclaredFields(kind: TechnicalKind, event: EventInput): EventField[] {
  const allowed = fieldsOfKind[kind];
  return eventFields.filter((field) => event[field] !== undefined && !allowed.includes(field));
}

export function eventVocabulary(category: Pick<Category, 'eventNames'>, kind: TechnicalKind): ReadonlySet<string> {
  return new Set(category.eventNames ?? namesOfKind[kind]);
}
