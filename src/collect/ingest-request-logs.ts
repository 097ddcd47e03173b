/**
 * Log data from the site's own servers: each request a visitor made to the site, as its
 * web server or proxy saw it (time, method, path, status, address, user agent, client
 * hints, language), forwarded in batches. Each entry becomes a `request` event of the
 * declaration's log-data category and, where device information is declared, a `device`
 * event read from the same headers; both go through event ingestion like the SDK's, so
 * the same rules hold: a known visitor only, its truncated address only, its opt-out
 * signals honored, sealed under its data key, purged by retention.
 */
import type { Signals } from '../consent/signals.js';
import { VowError } from '../errors.js';
import { noDrops, type DropReason, type EventInput, type IngestResult } from './event.js';
import { ingestEvents } from './ingest-events.js';
import type { Ingestor } from './ingestor.js';
import type { ClientHints } from './parse-device.js';

export interface RequestLogEntry {
  /** The visitor id of the request's `vow_consent` cookie (first-party on the site's domain). */
  visitorId: string;
  /** When the site answered (ISO 8601); taken only within a day of Vow's clock. */
  at?: string | undefined;
  method: string;
  path: string;
  status: number;
  /** The client's full address, as the site saw it: only its truncation is kept. */
  ip: string;
  userAgent?: string | undefined;
  hints?: ClientHints | undefined;
  language?: string | undefined;
  /** The request's Sec-GPC and DNT signals. */
  signals?: Partial<Signals> | undefined;
  country?: string | null | undefined;
}

/** Stores each entry's log data (and device information) as its visitor's consent and signals allow; counts the rest. */
export async function ingestRequestLogs(ingestor: Ingestor, entries: readonly RequestLogEntry[], now: Date): Promise<IngestResult> {
  const logCategory = [...ingestor.technical].find(([, kind]) => kind === 'log-data')?.[0];
  if (logCategory === undefined) throw new VowError('forbidden', 'the declaration declares no log data (a category of technical kind log-data), so none is collected');
  const deviceCategory = [...ingestor.technical].find(([, kind]) => kind === 'device-information')?.[0];

  // Entries of one visitor seen with the same headers share one ingestion (and one device event).
  const groups = new Map<string, { entry: RequestLogEntry; events: EventInput[] }>();
  for (const entry of entries) {
    const key = JSON.stringify([entry.visitorId, entry.ip, entry.userAgent, entry.hints, entry.language, entry.signals, entry.country]);
    let group = groups.get(key);
    if (!group) {
      group = { entry, events: deviceCategory === undefined ? [] : [{ category: deviceCategory, name: 'device', occurredAt: entry.at }] };
      groups.set(key, group);
    }
    group.events.push({ category: logCategory, name: 'request', occurredAt: entry.at, method: entry.method, path: entry.path, status: entry.status });
  }

  const total: IngestResult = { accepted: 0, dropped: noDrops(), undeclaredFields: [] };
  for (const { entry, events } of groups.values()) {
    const result = await ingestEvents(ingestor, {
      visitorId: entry.visitorId,
      events,
      signals: { gpc: entry.signals?.gpc === true, dnt: entry.signals?.dnt === true },
      request: { ip: entry.ip, userAgent: entry.userAgent, hints: entry.hints ?? {}, language: entry.language, country: entry.country ?? null },
      now,
    });
    total.accepted += result.accepted;
    for (const [reason, count] of Object.entries(result.dropped) as [DropReason, number][]) total.dropped[reason] += count;
    total.undeclaredFields = [...new Set([...total.undeclaredFields, ...result.undeclaredFields])];
  }
  return total;
}
