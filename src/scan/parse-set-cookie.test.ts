import { describe, expect, it } from 'vitest';
import { parseSetCookie } from './observe-site.js';

describe('a cookie as the scanner reads a write of it', () => {
  it('takes its name, its domain (the page’s host unless it names one) and its expiry', () => {
    expect(parseSetCookie('_ga=GA1.1.1; path=/', 'https://www.example.com/shop')).toEqual({ name: '_ga', domain: 'www.example.com', expires: -1 });
    expect(parseSetCookie('_ga=GA1; Domain=.example.com; Max-Age=60', 'https://www.example.com/')).toMatchObject({ name: '_ga', domain: 'example.com' });
  });

  it('reads a deletion (expired, or no longer alive) as no cookie at all: the SDK deleting a refused cookie is not a cookie set', () => {
    expect(parseSetCookie('_ga=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/', 'https://www.example.com/')).toBeUndefined();
    expect(parseSetCookie('_ga=; Max-Age=0', 'https://www.example.com/')).toBeUndefined();
    expect(parseSetCookie('=nameless', 'https://www.example.com/')).toBeUndefined();
  });
});
