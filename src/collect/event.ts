/** An event of technical information, as the SDK or a server hook sends it, and what became of it. */
/**
 * Why an event was not stored. `no-purpose-consent`: its category serves only purposes that
 * rest on consent, and the person has consented to none of them.
 */
export const dropReasons = ['no-consent', 'signal-opt-out', 'unknown-visitor', 'undeclared-category', 'undeclared-field', 'no-purpose-consent'] as const;
export type DropReason = (typeof dropReasons)[number];

export interface EventInput {
  /** A declared data category of kind technical (`usage-data`, `log-data`, …). */
  category: string;
  /** `page_view`, `feature`, `action`, `request` … */
  name: string;
  /** The client's clock (ISO 8601); taken only within a day of the server's. */
  occurredAt?: string | undefined;
  /** The page path; its query string and fragment are never stored. */
  path?: string | undefined;
  features?: readonly string[] | undefined;
  action?: string | undefined;
  /** IANA time zone (`Europe/Paris`). */
  timeZone?: string | undefined;
  /** For log data: the request's method and response status. */
  method?: string | undefined;
  status?: number | undefined;
}

export interface IngestResult {
  accepted: number;
  dropped: Record<DropReason, number>;
  /** `category.field` of each field an event carried that its category does not collect (its event was dropped). */
  undeclaredFields: string[];
}

export const noDrops = (): Record<DropReason, number> => ({
  'no-consent': 0,
  'signal-opt-out': 0,
  'unknown-visitor': 0,
  'undeclared-category': 0,
  'undeclared-field': 0,
  'no-purpose-consent': 0,
});

/** The first part of the ids of events received at this time: `evt_` and the milliseconds as 12 hex digits. */
export function eventIdPrefix(nowMs: number): string {
  return `evt_${Math.floor(nowMs).toString(16).padStart(12, '0')}`;
}

/**
 * `evt_` and 22 characters: the time in milliseconds as 12 hex digits, then 60 random
 * bits (from 8 random bytes). Ids that grow with time append to the primary-key index
 * instead of scattering writes over it, which keeps a large events table cheap to fill.
 */
export function newEventId(prefix: string, random: Buffer): string {
  return prefix + random.toString('base64url', 0, 8).slice(0, 10);
}

export const eventIdPattern = /^evt_[0-9a-f]{12}[A-Za-z0-9_-]{10}$/;
