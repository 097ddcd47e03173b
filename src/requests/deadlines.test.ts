import { describe, expect, it } from 'vitest';
import { addMonths, chooseJurisdiction, deadlinesOf, dueState, jurisdictionOfRegion } from './deadlines.js';

describe('request deadlines', () => {
  it('GDPR applies in the EU, the EEA and the UK; CCPA in California; elsewhere the declaration decides', () => {
    expect(['FR', 'de', 'NO', 'IS', 'GB', 'UK', 'ES-MD'].map(jurisdictionOfRegion)).toEqual(Array(7).fill('gdpr'));
    expect(jurisdictionOfRegion('US-CA')).toBe('ccpa');
    expect(jurisdictionOfRegion('US-NY')).toBeUndefined();
    expect(jurisdictionOfRegion('CH')).toBeUndefined();
    expect(chooseJurisdiction({}, undefined, 'US-CA')).toBe('ccpa');
    expect(chooseJurisdiction({}, 'FR', 'US-CA')).toBe('gdpr');
    expect(chooseJurisdiction({}, 'ccpa', null)).toBe('ccpa');
    expect(chooseJurisdiction({}, undefined, 'BR')).toBe('gdpr');
    expect(chooseJurisdiction({ requests: { defaultJurisdiction: 'ccpa' } }, undefined, undefined)).toBe('ccpa');
  });

  it('GDPR: one month from receipt, three once extended; CCPA: 45 days, 90 once extended', () => {
    const received = new Date('2026-01-31T12:00:00.000Z');
    expect(deadlinesOf('gdpr', received)).toEqual({ due: new Date('2026-02-28T12:00:00.000Z'), extended: new Date('2026-04-30T12:00:00.000Z') });
    expect(deadlinesOf('ccpa', received)).toEqual({ due: new Date('2026-03-17T12:00:00.000Z'), extended: new Date('2026-05-01T12:00:00.000Z') });
    expect(addMonths(new Date('2028-01-31T00:00:00.000Z'), 1).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(addMonths(new Date('2026-12-15T00:00:00.000Z'), 1).toISOString()).toBe('2027-01-15T00:00:00.000Z');
  });

  it('a request is near due within 7 days of its deadline, and overdue after it', () => {
    const due = new Date('2026-03-10T00:00:00.000Z');
    expect(dueState(due, new Date('2026-03-01T00:00:00.000Z'))).toEqual({ daysLeft: 9, nearDue: false, overdue: false });
    expect(dueState(due, new Date('2026-03-05T00:00:00.000Z'))).toEqual({ daysLeft: 5, nearDue: true, overdue: false });
    expect(dueState(due, new Date('2026-03-12T00:00:00.000Z'))).toMatchObject({ daysLeft: -2, nearDue: false, overdue: true });
  });
});
