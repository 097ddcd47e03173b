import { describe, expect, it } from 'vitest';
import { classifyColumn } from './classify-column.js';

const column = (name: string, dataType = 'varchar', sample?: string[], table = 'things') => classifyColumn({ table, name, dataType, ...(sample ? { sample } : {}) });

describe('a column looks personal by its name, its type, or the shape of its values', () => {
  it('knows the usual names, in snake and camel case', () => {
    expect(column('email')).toBe('email');
    expect(column('contactEmail')).toBe('email');
    expect(column('mobile_phone')).toBe('phone');
    expect(column('signup_ip')).toBe('ip-address');
    expect(column('birth_date', 'date')).toBe('birth-date');
    expect(column('dob', 'date')).toBe('birth-date');
    expect(column('full_name')).toBe('name');
    expect(column('shipping_address')).toBe('postal-address');
    expect(column('postcode')).toBe('postal-address');
    expect(column('note', 'text')).toBe('free-text');
    expect(column('customer_id', 'integer')).toBe('user-id');
  });

  it('lets the type overrule a name: a flag about e-mail holds no address, an inet column always does', () => {
    expect(column('email_verified', 'boolean')).toBeUndefined();
    expect(column('phone_count', 'int4')).toBeUndefined();
    expect(column('last_seen_from', 'inet')).toBe('ip-address');
  });

  it('takes a bare name for a person only in a table of people, or when the values read like names', () => {
    expect(column('name', 'varchar', undefined, 'customers')).toBe('name');
    expect(column('name', 'varchar', undefined, 'products')).toBeUndefined();
    expect(column('name', 'varchar', ['Ada Quillfeather', 'Grace Brightwater', 'Alan Thornbury'], 'products')).toBe('name');
  });

  it('recognises e-mail addresses, IP addresses, phone numbers and free text by their values alone', () => {
    expect(column('contact', 'varchar', ['a@example.org', 'b@example.org', 'not one'])).toBe('email');
    expect(column('origin', 'varchar', ['203.0.113.7', '2001:db8::1'])).toBe('ip-address');
    expect(column('callback', 'varchar', ['+44 20 7946 0958', '(555) 010-0199'])).toBe('phone');
    expect(column('remarks_2', 'text', ['The parcel arrived wet and the box was torn on two sides, please advise'])).toBe('free-text');
  });

  it('leaves alone what only resembles them: dates, skus, amounts, short labels', () => {
    expect(column('shipped_on', 'varchar', ['2026-03-01', '2026-03-02'])).toBeUndefined();
    expect(column('sku', 'varchar', ['ARM-2', 'VAC-1'])).toBeUndefined();
    expect(column('reference', 'varchar', ['1234567', '7654321'])).toBeUndefined();
    expect(column('subject', 'varchar', ['Help with order 1', 'Broken arm'])).toBeUndefined();
    expect(column('zip_enabled', 'boolean')).toBeUndefined();
  });
});
