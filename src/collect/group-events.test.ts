import { describe, expect, it } from 'vitest';
import type { EventInput } from './event.js';
import { groupEvents } from './group-events.js';

const at = (event: EventInput) => event.occurredAt ?? '2026-11-29T10:00:00.000Z';

describe("grouping a request's events into rows", () => {
  it('puts events of the same category, name and UTC hour in one row, in the order sent, with the earliest time', () => {
    const page = (path: string, occurredAt: string): EventInput => ({ category: 'usage-data', name: 'page_view', path, occurredAt });
    const groups = groupEvents(
      [
        page('/a', '2026-11-29T10:40:00.000Z'),
        { category: 'analytics', name: 'action', action: 'click', occurredAt: '2026-11-29T10:41:00.000Z' },
        page('/b', '2026-11-29T10:05:00.000Z'),
        page('/c', '2026-11-29T11:00:00.000Z'),
        { category: 'usage-data', name: 'feature', occurredAt: '2026-11-29T10:06:00.000Z' },
      ],
      at,
    );
    expect(groups.map((group) => [group.category, group.name, group.occurredAt, group.events.map(({ event }) => event.path ?? event.name)])).toEqual([
      ['usage-data', 'page_view', '2026-11-29T10:05:00.000Z', ['/a', '/b']],
      ['analytics', 'action', '2026-11-29T10:41:00.000Z', ['action']],
      ['usage-data', 'page_view', '2026-11-29T11:00:00.000Z', ['/c']],
      ['usage-data', 'feature', '2026-11-29T10:06:00.000Z', ['feature']],
    ]);
  });

  it('keeps each event its own time', () => {
    const groups = groupEvents([{ category: 'usage-data', name: 'page_view' }, { category: 'usage-data', name: 'page_view', occurredAt: '2026-11-29T10:30:00.000Z' }], at);
    expect(groups).toHaveLength(1);
    expect(groups[0]?.events.map((entry) => entry.at)).toEqual(['2026-11-29T10:00:00.000Z', '2026-11-29T10:30:00.000Z']);
  });
});
