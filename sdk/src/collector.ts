/**
 * Usage data: page views, features used, actions and the time zone, kept in memory only
 * while the visitor's consent allows it, and sent in batches with `navigator.sendBeacon`
 * when the page is hidden (`POST /v1/events`, text/plain).
 */

export interface UsageEvent {
  category: string;
  name: string;
  occurredAt: string;
  path: string;
  timeZone?: string;
  features?: string[];
  action?: string;
}

/** What `Vow.track` takes besides the event's name. */
export interface TrackProps {
  /** The declared data category (default `usage-data`). */
  category?: string;
  features?: string[];
  action?: string;
}

export interface Collector {
  /** Starts collecting for this visitor. */
  enable(visitorId: string): void;
  /** Stops collecting and forgets what was not sent. */
  disable(): void;
  readonly enabled: boolean;
  /** Queues an event; false (and nothing kept) while collecting is off. */
  add(name: string, props?: TrackProps): boolean;
  /** Sends what is queued. */
  flush(): void;
}

/** The server takes at most 50 events per request. */
const BATCH = 50;

function timeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

export function createCollector(endpoint: string): Collector {
  const url = `${endpoint}/v1/events`;
  let visitor = '';
  let queue: UsageEvent[] = [];

  const send = (events: UsageEvent[]) => {
    const body = JSON.stringify({ visitorId: visitor, events });
    // A string body goes as text/plain: no preflight, and it survives the page's unloading.
    try {
      if (navigator.sendBeacon(url, body)) return;
    } catch {
      // No sendBeacon here, or it refused: fetch with keepalive instead.
    }
    void fetch(url, { method: 'POST', body, keepalive: true, headers: { 'content-type': 'text/plain' } }).catch(() => undefined);
  };

  const collector: Collector = {
    get enabled() {
      return visitor !== '';
    },
    enable(visitorId) {
      visitor = visitorId;
    },
    disable() {
      visitor = '';
      queue = [];
    },
    add(name, props = {}) {
      if (!visitor) return false;
      const event: UsageEvent = { category: props.category ?? 'usage-data', name, occurredAt: new Date().toISOString(), path: location.pathname };
      const zone = timeZone();
      if (zone) event.timeZone = zone;
      if (props.features) event.features = props.features.slice(0, 20);
      if (props.action) event.action = props.action;
      queue.push(event);
      if (queue.length >= BATCH) collector.flush();
      return true;
    },
    flush() {
      if (!visitor) return;
      while (queue.length > 0) send(queue.splice(0, BATCH));
    },
  };

  addEventListener('pagehide', () => {
    collector.flush();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') collector.flush();
  });
  return collector;
}
