import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('the environment', () => {
  it('takes a public origin for links in mail, without its trailing slash, and refuses what is not an http(s) URL', () => {
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ VOW_PUBLIC_URL: 'https://privacy.example.com/' }).publicUrl).toBe('https://privacy.example.com');
    expect(() => loadConfig({ VOW_PUBLIC_URL: 'ftp://example.com' })).toThrow(/VOW_PUBLIC_URL/);
    expect(() => loadConfig({ VOW_PUBLIC_URL: 'privacy.example.com' })).toThrow(/VOW_PUBLIC_URL/);
  });

  it('takes SMTP and mail settings, and refuses malformed ones by name', () => {
    expect(loadConfig({ SMTP_URL: 'smtps://user:pass@mail.example.com:465', VOW_MAIL_FROM: 'privacy@example.com' })).toMatchObject({
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      mailFrom: 'privacy@example.com',
    });
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ VOW_MAIL_FROM: 'not an address' })).toThrow(/VOW_MAIL_FROM/);
  });
});
