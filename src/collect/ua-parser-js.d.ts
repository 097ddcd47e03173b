/**
 * Types for ua-parser-js 1.x (MIT), which ships none: only the part Vow uses. The 2.x
 * line reads client hints itself but is AGPL-3.0; parse-device.ts reads them instead.
 */
declare module 'ua-parser-js' {
  export interface UAParserResult {
    ua: string;
    browser: { name?: string; version?: string; major?: string };
    engine: { name?: string; version?: string };
    os: { name?: string; version?: string };
    device: { vendor?: string; model?: string; type?: string };
    cpu: { architecture?: string };
  }

  export class UAParser {
    constructor(userAgent?: string);
    getResult(): UAParserResult;
  }
}
