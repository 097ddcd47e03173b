/**
 * Takes a visitor's batch of events: each is stored only when its category is declared
 * technical information, the visitor is known, the event carries only fields its kind
 * collects, and either the category is collected on legitimate interests (log data,
 * device information, as the declaration says) or the visitor's latest consent (or a
 * strictly necessary cookie category) covers a cookie category that collects it; an
 * honored opt-out signal on the request removes a cookie category either way. A category
 * collected for consent-based purposes alone needs the person's consent to one of them. Stored events keep their
 * dimensions in the clear and everything else sealed under the subject's data key, those
 * of the same dimensions in one row (group-events.ts).
 */
import { truncateIp } from '../http/truncate-ip.js';
import type { Signals } from '../consent/signals.js';
import type { NewEventRow } from './event.repository.js';
import { eventDataFor, sealEvents, type RequestFacts, type StoredEvent } from './event-data.js';
import { eventIdPrefix, newEventId, noDrops, type DropReason, type EventInput, type IngestResult } from './event.js';
import { CUSTOM_NAME, undeclaredFields } from './event-fields.js';
import { groupEvents } from './group-events.js';
import type { Allowance, Ingestor } from './ingestor.js';
import type { ClientHints, Device } from './parse-device.js';

export interface IngestEventsOptions {
  /** The SDK's visitor id (`vis_…`), known to the vault as identifier kind `visitor`. */
  visitorId: string;
  events: readonly EventInput[];
  /** The opt-out signals on the request (`readSignals(request.headers)`). */
  signals: Signals;
  request: {
    /** The client's address; only its truncation is kept, and only in log data. */
    ip: string;
    userAgent: string | undefined;
    hints: ClientHints;
    /** The browser's preferred language (`preferredLanguage`), kept only in log data. */
    language?: string | undefined;
    /** From the operator's proxy (`countryOf`), or null. */
    country: string | null;
  };
  now: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Last activity is moved forward at most this often: retention periods are counted in months. */
const ACTIVITY_PRECISION_MS = 60 * 60 * 1000;

/** The client's time when it is within a day of ours; ours otherwise (a wrong clock, or a replay). */
function occurredAt(event: EventInput, nowMs: number, receivedAt: string): string {
  if (event.occurredAt === undefined) return receivedAt;
  const at = Date.parse(event.occurredAt);
  return Number.isFinite(at) && Math.abs(at - nowMs) <= DAY_MS ? new Date(at).toISOString() : receivedAt;
}

/** `occurredAt`, computed once per distinct client time: the SDK stamps a batch's events alike. */
function occurredAtOnce(nowMs: number, receivedAt: string): (event: EventInput) => string {
  let lastRaw: string | undefined;
  let last = receivedAt;
  return (event) => {
    if (event.occurredAt === undefined) return receivedAt;
    if (event.occurredAt !== lastRaw) {
      lastRaw = event.occurredAt;
      last = occurredAt(event, nowMs, receivedAt);
    }
    return last;
  };
}

/** Why an event of this category may not be stored for this visitor, or undefined when it may. */
function refusal(allowances: readonly Allowance[], category: string, optedOut: ReadonlySet<string>): DropReason | undefined {
  let collected = false;
  for (const allowance of allowances) {
    if (!allowance.collects.has(category)) continue;
    if (!optedOut.has(allowance.cookieCategory)) return undefined;
    collected = true;
  }
  return collected ? 'signal-opt-out' : 'no-consent';
}

/** A category that serves only consent-based purposes needs the person's consent to one of them, cookies allowed or not. */
function purposeRefusal(purposes: readonly string[] | undefined, consented: ReadonlySet<string>): DropReason | undefined {
  return purposes === undefined || purposes.some((purpose) => consented.has(purpose)) ? undefined : 'no-purpose-consent';
}

/** Whether an opted-out cookie category collects this category: an honored signal then refuses it, whatever its basis. */
function collectedByOptedOut(allowances: readonly Allowance[], category: string, optedOut: ReadonlySet<string>): boolean {
  return allowances.some((allowance) => optedOut.has(allowance.cookieCategory) && allowance.collects.has(category));
}

/**
 * Stores what may be stored and counts the rest.
 *
 *   await ingestEvents(ingestor, { visitorId, events: [{ category: 'usage-data', name: 'page_view', path: '/pricing' }],
 *     signals: readSignals(request.headers), request: { ip: request.ip, userAgent, hints, country: null }, now: new Date() })
 *   // { accepted: 1, dropped: { 'no-consent': 0, 'signal-opt-out': 0, 'unknown-visitor': 0, 'undeclared-category': 0 } }
 */
export async function ingestEvents(ingestor: Ingestor, options: IngestEventsOptions): Promise<IngestResult> {
  const nowMs = options.now.getTime();
  const receivedAt = options.now.toISOString();
  const dropped = noDrops();
  // Outcomes per category label, reported to the counter once per request.
  const counts = new Map<string, Map<DropReason | 'accepted', number>>();
  const count = (category: string, outcome: DropReason | 'accepted') => {
    let byOutcome = counts.get(category);
    if (!byOutcome) counts.set(category, (byOutcome = new Map<DropReason | 'accepted', number>()));
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
  };

  const undeclared = new Set<string>();
  const declared = options.events.filter((event) => {
    const kind = ingestor.technical.get(event.category);
    if (kind === undefined) {
      dropped['undeclared-category'] += 1;
      // Undeclared categories are whatever a client sends: one label for all keeps the series few.
      count('undeclared', 'undeclared-category');
      return false;
    }
    const extra = undeclaredFields(kind, event);
    if (extra.length === 0) return true;
    dropped['undeclared-field'] += 1;
    count(event.category, 'undeclared-field');
    for (const field of extra) undeclared.add(`${event.category}.${field}`);
    return false;
  });

  const visitor = declared.length > 0 ? await ingestor.visitor(options.visitorId, nowMs) : undefined;
  const accepted: EventInput[] = [];
  if (!visitor) {
    for (const event of declared) {
      dropped['unknown-visitor'] += 1;
      count(event.category, 'unknown-visitor');
    }
  } else {
    const optedOut = ingestor.optedOut(options.signals);
    const { withoutConsent, consentOnly } = ingestor;
    for (const event of declared) {
      // Collected on legitimate interests unless a cookie category the visitor allowed (and a signal refused) collects it too.
      const onInterests = withoutConsent.has(event.category) && !collectedByOptedOut(visitor.allowances, event.category, optedOut);
      const reason = (onInterests ? undefined : refusal(visitor.allowances, event.category, optedOut)) ?? purposeRefusal(consentOnly.get(event.category), visitor.purposeConsents);
      if (reason === undefined) accepted.push(event);
      else {
        dropped[reason] += 1;
        count(event.category, reason);
      }
    }
  }

  if (visitor && accepted.length > 0) {
    let device: Device | undefined;
    let ip: string | undefined;
    const facts: RequestFacts = {
      device: () => (device ??= ingestor.device(options.request.userAgent, options.request.hints)),
      truncatedIp: () => (ip ??= truncateIp(options.request.ip)),
      language: options.request.language,
    };
    const prefix = eventIdPrefix(nowMs);
    // Free text from the public stays out of the clear: a name outside the vocabulary is sealed, its row says `custom`.
    const clearName = (event: EventInput) => (ingestor.eventNames.get(event.category)?.has(event.name) ? event.name : CUSTOM_NAME);
    const rows: NewEventRow[] = groupEvents(accepted, occurredAtOnce(nowMs, receivedAt), clearName).map((group) => {
      const random = ingestor.random.take(20);
      const id = newEventId(prefix, random.subarray(0, 8));
      const kind = ingestor.technical.get(group.category) ?? 'usage-data';
      const events = group.events.map(
        ({ event, at }): StoredEvent => ({ occurredAt: at, ...(group.name === event.name ? {} : { name: event.name }), ...eventDataFor(kind, event, facts) }),
      );
      return {
        id,
        subject_id: visitor.subjectId,
        category: group.category,
        name: group.name,
        occurred_at: group.occurredAt,
        received_at: receivedAt,
        country: options.request.country,
        data: sealEvents(visitor.dataKey, id, events, random.subarray(8, 20)),
        event_count: events.length,
      };
    });
    const touch = nowMs - visitor.lastActivityMs >= ACTIVITY_PRECISION_MS ? { subjectId: visitor.subjectId, at: receivedAt } : undefined;
    const outcome = await ingestor.writer.write({ rows, touch });
    if (touch && outcome === 'stored') visitor.lastActivityMs = nowMs;
    if (outcome === 'subject-gone') {
      ingestor.forget(options.visitorId);
      dropped['unknown-visitor'] += accepted.length;
      for (const event of accepted) count(event.category, 'unknown-visitor');
      accepted.length = 0;
    } else {
      for (const event of accepted) count(event.category, 'accepted');
    }
  }

  if (ingestor.counter) {
    for (const [category, byOutcome] of counts) {
      for (const [outcome, n] of byOutcome) {
        if (outcome === 'accepted') ingestor.counter.accepted(category, n);
        else ingestor.counter.dropped(category, outcome, n);
      }
    }
  }
  return { accepted: accepted.length, dropped, undeclaredFields: [...undeclared] };
}
