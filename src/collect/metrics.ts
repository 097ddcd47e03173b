/**
 * Prometheus metrics of ingestion, in a registry of the server's own (never prom-client's
 * global one): events accepted per category, dropped per category and reason, and the
 * process's defaults. Labels come from closed sets (declared categories, `undeclared`,
 * the drop reasons), so the series stay few whatever clients send, and none names anyone.
 */
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { DropReason } from './event.js';

/** Where the ingestor reports outcomes. */
export interface EventCounter {
  accepted(category: string, count: number): void;
  dropped(category: string, reason: DropReason, count: number): void;
}

export interface EventMetrics extends EventCounter {
  /** `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  /** The exposition text. */
  render(): Promise<string>;
  /** What this process counted since it started: accepted, and dropped by reason. */
  totals(): Promise<{ accepted: number; dropped: Partial<Record<DropReason, number>> }>;
}

export function createEventMetrics(options: { processMetrics?: boolean } = {}): EventMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const accepted = new Counter({
    name: 'vow_events_accepted_total',
    help: 'Events stored, by data category.',
    labelNames: ['category'] as const,
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'vow_events_dropped_total',
    help: 'Events refused, by data category and reason (no-consent, signal-opt-out, unknown-visitor, undeclared-category, undeclared-field).',
    labelNames: ['category', 'reason'] as const,
    registers: [registry],
  });
  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    accepted: (category, count) => {
      accepted.inc({ category }, count);
    },
    dropped: (category, reason, count) => {
      dropped.inc({ category, reason }, count);
    },
    async totals() {
      const [acceptedNow, droppedNow] = await Promise.all([accepted.get(), dropped.get()]);
      const byReason: Partial<Record<DropReason, number>> = {};
      for (const value of droppedNow.values) {
        const reason = value.labels.reason as DropReason | undefined;
        if (reason !== undefined) byReason[reason] = (byReason[reason] ?? 0) + value.value;
      }
      return { accepted: acceptedNow.values.reduce((sum, value) => sum + value.value, 0), dropped: byReason };
    },
  };
}
