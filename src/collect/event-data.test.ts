import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open } from '../vault/aes-gcm.js';
import { openEventData, sealEventData, type EventData } from './event-data.js';

const data: EventData = { path: '/pricing', features: ['dark-mode'], timeZone: 'Europe/Paris', device: { browser: 'Chrome', os: 'Android' } };

describe('sealed event data', () => {
  it("is the vault's AES-256-GCM format, bound to the event id, under the subject's key", () => {
    const key = randomBytes(32);
    const sealed = sealEventData(key, 'evt_0190a1b2c3d4AbCdEfGhIj', data, randomBytes(12));
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(open(key, sealed, 'evt_0190a1b2c3d4AbCdEfGhIj').toString('utf8'))).toEqual(data);
    expect(openEventData(key, 'evt_0190a1b2c3d4AbCdEfGhIj', sealed)).toEqual(data);
    expect(() => openEventData(key, 'evt_0190a1b2c3d4ZZZZZZZZZZ', sealed)).toThrow();
    expect(() => openEventData(randomBytes(32), 'evt_0190a1b2c3d4AbCdEfGhIj', sealed)).toThrow();
  });

  it('keeps no trace of one event id in the next, and takes ids of any length', () => {
    const key = randomBytes(32);
    const long = `evt_${'x'.repeat(100)}`;
    const first = sealEventData(key, long, data, randomBytes(12));
    const second = sealEventData(key, 'evt_short', data, randomBytes(12));
    expect(openEventData(key, long, first)).toEqual(data);
    expect(openEventData(key, 'evt_short', second)).toEqual(data);
  });

  it('refuses an IV that is not 12 bytes', () => {
    expect(() => sealEventData(randomBytes(32), 'evt_x', data, randomBytes(16))).toThrow('12 bytes');
  });
});
