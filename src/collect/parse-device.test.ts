import { describe, expect, it } from 'vitest';
import { deviceHeadersOf, parseDevice } from './parse-device.js';

const chromeWindows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const reducedAndroid = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const reducedAndroidTablet = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const ipad = 'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const firefoxLinux = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0';
const chromeMac = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

describe('parseDevice', () => {
  it('reads browser, major version, OS and device type from the user agent alone', () => {
    expect(parseDevice(chromeWindows)).toEqual({ browser: 'Chrome', browserVersion: '124', os: 'Windows', deviceType: 'desktop', model: null });
    expect(parseDevice(iphone)).toEqual({ browser: 'Mobile Safari', browserVersion: '17', os: 'iOS', deviceType: 'mobile', model: 'iPhone' });
    expect(parseDevice(ipad)).toMatchObject({ os: 'iOS', deviceType: 'tablet', model: 'iPad' });
    expect(parseDevice(firefoxLinux)).toEqual({ browser: 'Firefox', browserVersion: '125', os: 'Linux', deviceType: 'desktop', model: null });
    expect(parseDevice(chromeMac)).toMatchObject({ os: 'macOS', deviceType: 'desktop' });
  });

  it('takes the brand, platform, mobility and model from client hints, over the reduced user agent', () => {
    const hints = {
      ua: '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"',
      platform: '"Android"',
      mobile: '?1',
      model: '"Pixel 7"',
    };
    expect(parseDevice(reducedAndroid, hints)).toEqual({ browser: 'Chrome', browserVersion: '124', os: 'Android', deviceType: 'mobile', model: 'Pixel 7' });
    // Without the model hint, the reduced agent's placeholder model "K" is no model.
    expect(parseDevice(reducedAndroid, { ...hints, model: undefined }).model).toBeNull();
    // Brave and Edge name themselves only in the hints.
    expect(parseDevice(chromeWindows, { ua: '"Brave";v="124", "Chromium";v="124", "Not-A.Brand";v="99"', platform: '"Windows"', mobile: '?0' })).toMatchObject({
      browser: 'Brave',
      browserVersion: '124',
      os: 'Windows',
      deviceType: 'desktop',
    });
    expect(parseDevice(chromeWindows, { ua: '"Not/A)Brand";v="8", "Chromium";v="126", "Microsoft Edge";v="126"' })).toMatchObject({ browser: 'Edge', browserVersion: '126' });
    expect(parseDevice(chromeMac, { ua: '"Chromium";v="124", "Not:A-Brand";v="99"', platform: '"macOS"' })).toMatchObject({ browser: 'Chromium', os: 'macOS' });
    // A tablet's hints say ?0; the reduced agent without "Mobile" already reads as a tablet.
    expect(parseDevice(reducedAndroidTablet, { mobile: '?0', platform: '"Android"' }).deviceType).toBe('tablet');
  });

  it('ignores malformed or oversized hints and copes with no user agent', () => {
    expect(parseDevice(chromeWindows, { ua: 'garbage', platform: 'Windows', mobile: 'yes', model: '"' })).toEqual(parseDevice(chromeWindows));
    expect(parseDevice(undefined)).toEqual({ browser: null, browserVersion: null, os: null, deviceType: 'unknown', model: null });
    expect(parseDevice('curl/8.7.1').deviceType).toBe('unknown');
    const headers = deviceHeadersOf({ 'user-agent': chromeWindows, 'sec-ch-ua': 'x'.repeat(300), 'sec-ch-ua-mobile': '?0', 'sec-ch-ua-model': ['"a"', '"b"'] });
    expect(headers).toEqual({ userAgent: chromeWindows, hints: { ua: undefined, platform: undefined, mobile: '?0', model: undefined } });
    expect(deviceHeadersOf({ 'user-agent': 'x'.repeat(2000) }).userAgent).toHaveLength(512);
  });
});
