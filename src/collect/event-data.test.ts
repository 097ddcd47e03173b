import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from '../vault/aes-gcm.js';
import { openEvents, sealEvents, type EventData, type StoredEvent } from './event-data.js';

const data: EventData = { path: '/pricing', features: ['dark-mode'], timeZone: 'Europe/Paris', device: { browser: 'Chrome', os: 'Android' } };
const events: StoredEvent[] = [
  { occurredAt: '2026-11-29T10:00:00.000Z', ...data },
  { occurredAt: '2026-11-29T10:00:05.000Z', path: '/checkout' },
];
const rowId = 'evt_0190a1b2c3d4AbCdEfGhIj';

describe("a row's sealed events", () => {
  it("are the vault's AES-256-GCM format, bound to the row id, under the subject's key", () => {
    const key = randomBytes(32);
    const sealed = sealEvents(key, rowId, events, randomBytes(12));
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(open(key, sealed, rowId).toString('utf8'))).toEqual(events);
    expect(openEvents(key, rowId, sealed, '2026-11-29T10:00:00.000Z')).toEqual(events);
    expect(() => openEvents(key, 'evt_0190a1b2c3d4ZZZZZZZZZZ', sealed, '2026-11-29T10:00:00.000Z')).toThrow();
    expect(() => openEvents(randomBytes(32), rowId, sealed, '2026-11-29T10:00:00.000Z')).toThrow();
  });

  it('keep no trace of one row id in the next, and take ids of any length', () => {
    const key = randomBytes(32);
    const long = `evt_${'x'.repeat(100)}`;
    const first = sealEvents(key, long, events, randomBytes(12));
    const second = sealEvents(key, 'evt_short', events, randomBytes(12));
    expect(openEvents(key, long, first, events[0]?.occurredAt ?? '')).toEqual(events);
    expect(openEvents(key, 'evt_short', second, events[0]?.occurredAt ?? '')).toEqual(events);
  });

  it('read a row written before grouping (one event, no time of its own) as that event at the row time', () => {
    const key = randomBytes(32);
    const legacy = seal(key, Buffer.from(JSON.stringify(data)), rowId);
    expect(openEvents(key, rowId, legacy, '2026-01-02T03:04:05.000Z')).toEqual([{ occurredAt: '2026-01-02T03:04:05.000Z', ...data }]);
  });

  it('refuse an IV that is not 12 bytes', () => {
    expect(() => sealEvents(randomBytes(32), 'evt_x', events, randomBytes(16))).toThrow('12 bytes');
  });
});
