import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { VowError } from '../../errors.js';
import { MAX_ROWS, parseSocialExport, SocialExport, type ParseSocialExportInput } from './parse-social-export.js';

const fixture = (name: string) => readFile(new URL(`../../../test/fixtures/social/${name}`, import.meta.url), 'utf8');

/** The refusal `parse` throws; fails the test when it does not throw one. */
function refusal(input: ParseSocialExportInput): VowError {
  try {
    parseSocialExport(input);
  } catch (error) {
    if (error instanceof VowError) return error;
    throw error;
  }
  throw new Error('expected the export to be refused');
}

/** Neither the message nor any problem may carry a personal value. */
function expectNoEcho(error: VowError, ...values: string[]): void {
  const said = `${error.message}\n${JSON.stringify(error.problems)}`;
  for (const value of values) expect(said).not.toContain(value);
}

const interactionsCsv = (...rows: string[]) => ['platform,handle,name,email,kind,interaction,occurred_at', ...rows].join('\n');

describe('parseSocialExport: JSON in Vow’s shape', () => {
  it('turns the facebook fixture into normalized interactions and aggregates', async () => {
    const result = parseSocialExport({ content: await fixture('facebook.json'), format: 'json' });
    expect(result).toEqual({
      interactions: [
        {
          platform: 'facebook',
          handle: 'maria.garcia',
          name: 'Maria Garcia',
          email: 'maria@example.com',
          kind: 'comment',
          interaction: 'Is the API open to researchers?',
          occurredAt: '2026-11-27T08:15:00.000Z',
        },
        { platform: 'facebook', handle: 'tom.baker', kind: 'message', interaction: 'Please send me the price list.', occurredAt: '2026-11-27T14:00:00.000Z' },
        { platform: 'facebook', handle: 'li.wei', kind: 'reaction', interaction: '', occurredAt: '2026-11-28T20:00:00.000Z' },
      ],
      aggregates: [
        { platform: 'facebook', metric: 'reach', period: '2026-11', value: 5400 },
        { platform: 'facebook', metric: 'engagement', period: '2026-W48', value: 312 },
        { platform: 'facebook', metric: 'page-views', period: '2026-11-28', value: 97 },
      ],
    });
    expect(result.interactions[2]).not.toHaveProperty('name');
    expect(() => SocialExport.parse(result)).not.toThrow();
  });

  it('lets an entry name its own platform, and the platform option fill a file without one', () => {
    const content = JSON.stringify({
      interactions: [
        { handle: 'a', kind: 'follow', occurredAt: '2026-11-28T10:00:00Z' },
        { platform: 'YouTube', handle: 'b', kind: 'follow', occurredAt: '2026-11-28T10:00:00Z' },
      ],
    });
    const { interactions } = parseSocialExport({ content, format: 'json', platform: 'medium' });
    expect(interactions.map((record) => record.platform)).toEqual(['medium', 'youtube']);
  });

  it('refuses an unknown key, naming it and where it is', () => {
    const entry = { handle: 'a', kind: 'comment', interaction: 'hi', occurredAt: '2026-11-28T10:00:00Z' };
    const inFile = refusal({ content: JSON.stringify({ platform: 'facebook', comments: [], interactions: [entry] }), format: 'json' });
    expect(inFile.code).toBe('bad_request');
    expect(inFile.problems).toEqual([{ path: 'comments', message: 'unknown field "comments"' }]);
    const inEntry = refusal({ content: JSON.stringify({ platform: 'facebook', interactions: [entry, { ...entry, likes: 3, occurred_at: 'x' }] }), format: 'json' });
    expect(inEntry.problems).toEqual([
      { path: 'interactions[1].likes', message: 'unknown field "likes"' },
      { path: 'interactions[1].occurred_at', message: 'unknown field "occurred_at"' },
    ]);
    expect(inEntry.message).toContain('interactions[1].likes: unknown field "likes"');
  });

  it('refuses a bad e-mail address by its index path, without repeating it', () => {
    const content = JSON.stringify({
      platform: 'facebook',
      interactions: [
        { handle: 'ok', kind: 'follow', occurredAt: '2026-11-28T10:00:00Z' },
        { handle: 'jane', name: 'Jane Example', email: 'jane@@example', kind: 'comment', interaction: 'Call me', occurredAt: '2026-11-28T10:00:00Z' },
      ],
    });
    const error = refusal({ content, format: 'json' });
    expect(error.problems).toEqual([{ path: 'interactions[1].email', message: 'must be an e-mail address' }]);
    expect(error.message).toContain('interactions[1].email');
    expectNoEcho(error, 'jane@@example', 'Jane Example', 'Call me');
  });

  it('lists every bad entry at once, with or without a platform to fall back on', () => {
    const content = JSON.stringify({
      interactions: [
        { handle: 'a', kind: 'comment', occurredAt: '2026-11-28T10:00:00Z' },
        { platform: 'medium', handle: 'b', kind: 'comment', interaction: 'Hi', occurredAt: 'yesterday' },
        { platform: 'medium', handle: 'c', kind: 'comment', occurredAt: '2026-11-28T10:00:00Z' },
        'not an entry',
      ],
    });
    expect(refusal({ content, format: 'json' }).problems).toEqual([
      { path: 'interactions[0].platform', message: 'is required (no platform in the row, the file or the options)' },
      { path: 'interactions[1].occurredAt', message: expect.stringContaining('must be an ISO-8601 date-time with a time zone') as string },
      { path: 'interactions[2].interaction', message: 'is required for a comment' },
      { path: 'interactions[3]', message: expect.stringContaining('expected object') as string },
    ]);
  });

  it('refuses a negative aggregate value and an unknown platform', () => {
    const content = JSON.stringify({
      aggregates: [
        { platform: 'instagram', metric: 'reach', period: '2026-11', value: -5 },
        { platform: 'tiktok', metric: 'reach', period: '2026-11', value: 5 },
      ],
    });
    const error = refusal({ content, format: 'json' });
    expect(error.problems).toEqual([
      { path: 'aggregates[0].value', message: 'must not be negative' },
      { path: 'aggregates[1].platform', message: 'must be one of instagram, facebook, medium, twitter, youtube, linkedin' },
    ]);
  });

  it('refuses an entry with no platform anywhere', () => {
    const content = JSON.stringify({ aggregates: [{ metric: 'reach', period: '2026-11', value: 5 }] });
    expect(refusal({ content, format: 'json' }).problems).toEqual([
      { path: 'aggregates[0].platform', message: 'is required (no platform in the row, the file or the options)' },
    ]);
  });

  it('refuses text that is not JSON without quoting it', () => {
    const error = refusal({ content: '{\n  "interactions": [{"name": "Jane Example",, }]\n}', format: 'json' });
    expect(error.problems[0]).toMatchObject({ path: '', message: 'is not valid JSON' });
    expectNoEcho(error, 'Jane Example');
  });

  it('refuses more rows than a file may hold', () => {
    const entry = { handle: 'a', kind: 'follow', occurredAt: '2026-11-28T10:00:00Z' };
    const content = JSON.stringify({ platform: 'twitter', interactions: Array.from({ length: MAX_ROWS + 1 }, () => entry) });
    const error = refusal({ content, format: 'json' });
    expect(error.message).toContain(`${MAX_ROWS + 1} rows, more than the ${MAX_ROWS} allowed`);
  });
});

describe('parseSocialExport: CSV of interactions', () => {
  it('maps an Instagram export through the header aliases, with the platform option filling the platform', async () => {
    const result = parseSocialExport({ content: await fixture('instagram-comments.csv'), format: 'csv', platform: 'instagram' });
    expect(result.aggregates).toEqual([]);
    expect(result.interactions).toEqual([
      {
        platform: 'instagram',
        handle: 'jane.doe',
        name: 'Jane Doe',
        email: 'jane@example.com',
        kind: 'comment',
        interaction: 'Love the new robot arm, when does it ship?',
        occurredAt: '2026-11-28T14:03:00.000Z',
      },
      { platform: 'instagram', handle: 'sam_lee', kind: 'comment', interaction: 'Thanks!\nTwo lines, with a comma.', occurredAt: '2026-11-28T14:10:05.000Z' },
      { platform: 'instagram', handle: 'ola_n', name: 'Ola Nordmann', kind: 'mention', interaction: '@airobotics have you seen this?', occurredAt: '2026-11-28T14:00:00.000Z' },
      { platform: 'instagram', handle: 'rui.costa', name: 'Rui Costa', email: 'rui@example.org', kind: 'reaction', interaction: '', occurredAt: '2026-11-29T00:00:00.000Z' },
    ]);
    expect(() => SocialExport.parse(result)).not.toThrow();
  });

  it('reads the Vow column names, and keeps a platform column over the option', () => {
    const content = interactionsCsv(
      'twitter,@Ada,Ada L,ada@example.com,message,"Hello, ""Vow""",2026-11-28T10:00:00.5Z',
      'x,grace,,,follow,,Wed Nov 25 20:19:24 +0000 2026',
    );
    const { interactions } = parseSocialExport({ content, format: 'csv', platform: 'linkedin' });
    expect(interactions).toEqual([
      { platform: 'twitter', handle: 'ada', name: 'Ada L', email: 'ada@example.com', kind: 'message', interaction: 'Hello, "Vow"', occurredAt: '2026-11-28T10:00:00.500Z' },
      { platform: 'twitter', handle: 'grace', kind: 'follow', interaction: '', occurredAt: '2026-11-25T20:19:24.000Z' },
    ]);
  });

  it.each([
    ['username', 'full_name', 'body', 'created_at'],
    ['User', 'Display Name', 'Message', 'Date'],
    ['screen_name', 'displayName', 'comment', 'timestamp'],
    ['author', 'author-name', 'full_text', 'created_time'],
  ])('accepts the aliases %s, %s, %s, %s', (handle, name, text, at) => {
    const content = `network,${handle},${name},type,${text},${at}\nmedium,someone,Some One,dm,Hi there,2026-11-28T10:00:00Z`;
    expect(parseSocialExport({ content, format: 'csv' }).interactions).toEqual([
      { platform: 'medium', handle: 'someone', name: 'Some One', kind: 'message', interaction: 'Hi there', occurredAt: '2026-11-28T10:00:00.000Z' },
    ]);
  });

  it('takes the kind option for a file without a kind column, and `other` without either', () => {
    const content = 'username,text,timestamp\nsomeone,Nice,2026-11-28T10:00:00Z';
    expect(parseSocialExport({ content, format: 'csv', platform: 'youtube', kind: 'comment' }).interactions[0]?.kind).toBe('comment');
    expect(parseSocialExport({ content, format: 'csv', platform: 'youtube' }).interactions[0]?.kind).toBe('other');
  });

  it('reads semicolon-separated files', () => {
    const content = 'username;text;timestamp\nsomeone;Nice, really;2026-11-28T10:00:00Z';
    expect(parseSocialExport({ content, format: 'csv', platform: 'facebook' }).interactions[0]?.interaction).toBe('Nice, really');
  });

  it('refuses a bad e-mail address by line and column, without repeating it', () => {
    const content = interactionsCsv(
      'instagram,ok,,,follow,,2026-11-28T10:00:00Z',
      'instagram,jane,Jane Example,jane@@example,comment,Call me,2026-11-28T10:00:00Z',
    );
    const error = refusal({ content, format: 'csv' });
    expect(error.code).toBe('bad_request');
    expect(error.problems).toEqual([{ path: 'email', line: 3, message: 'must be an e-mail address' }]);
    expect(error.message).toContain('line 3, email: must be an e-mail address');
    expectNoEcho(error, 'jane@@example', 'Jane Example', 'Call me');
  });

  it('names the column as the file spells it', () => {
    const content = 'platform,username,Email Address,text,timestamp\nfacebook,jane,not-an-address,Hi,2026-11-28T10:00:00Z';
    const error = refusal({ content, format: 'csv' });
    expect(error.problems).toEqual([{ path: 'Email Address', line: 2, message: 'must be an e-mail address' }]);
    expectNoEcho(error, 'not-an-address');
  });

  it('lists every bad row, counting lines across quoted cells that hold newlines and commas', () => {
    const content = interactionsCsv(
      'instagram,a,,,comment,"first line\nsecond, with a comma\nthird",2026-11-28T10:00:00Z',
      'myspace,b,,,comment,Hi,2026-11-28T10:00:00Z',
      'facebook,c,,,comment,Hi,2026-02-30T10:00:00Z',
      'facebook,d,,,comment,Hi,2026-11-28T10:00:00',
      'facebook,e,,,comment,,2026-11-28T10:00:00Z',
      'facebook,f,,,poke,Hi,2026-11-28T10:00:00Z',
    );
    const error = refusal({ content, format: 'csv' });
    expect(error.problems).toEqual([
      { path: 'platform', line: 5, message: 'must be one of instagram, facebook, medium, twitter, youtube, linkedin' },
      { path: 'occurred_at', line: 6, message: expect.stringContaining('must be an ISO-8601 date-time with a time zone') as string },
      { path: 'occurred_at', line: 7, message: expect.stringContaining('must be an ISO-8601 date-time with a time zone') as string },
      { path: 'interaction', line: 8, message: 'is required for a comment' },
      { path: 'kind', line: 9, message: 'must be one of comment, message, mention, follow, reaction, other' },
    ]);
    expect(error.message).toMatch(/^the social export has 5 problems: line 5, platform: /);
  });

  it('refuses text over 10,000 characters without repeating it', () => {
    const long = `${'Secret words '.repeat(800)}end`;
    const error = refusal({ content: interactionsCsv(`facebook,a,,,message,"${long}",2026-11-28T10:00:00Z`), format: 'csv' });
    expect(error.problems).toEqual([{ path: 'interaction', line: 2, message: 'must be at most 10000 characters' }]);
    expectNoEcho(error, 'Secret words');
  });

  it('refuses unknown, repeated and missing columns in the header, naming them', () => {
    const error = refusal({ content: 'username,user,likes,text\na,b,3,hi', format: 'csv' });
    expect(error.problems).toEqual([
      { path: 'user', line: 1, message: 'column "user" repeats column "username" (both are handle)' },
      { path: 'likes', line: 1, message: expect.stringContaining('column "likes" is not an interaction column') as string },
      { path: 'occurred_at', line: 1, message: 'column occurred_at is required' },
      { path: 'platform', line: 1, message: 'column platform is required unless the platform option is given' },
    ]);
  });

  it('refuses a row whose cell count differs from the header', () => {
    const error = refusal({ content: interactionsCsv('facebook,a,,,follow,,2026-11-28T10:00:00Z,extra'), format: 'csv' });
    expect(error.problems).toEqual([{ path: '', line: 2, message: 'has 8 cells where the header has 7' }]);
  });

  it('refuses a quote that is never closed, by line, without quoting the text', () => {
    const error = refusal({ content: interactionsCsv('facebook,a,,,comment,"Private words,2026-11-28T10:00:00Z'), format: 'csv' });
    expect(error.problems).toEqual([{ path: '', line: 2, message: 'a quoted cell is never closed' }]);
    expectNoEcho(error, 'Private words');
  });

  it('refuses more than 50,000 rows', () => {
    const row = 'facebook,a,,,follow,,2026-11-28T10:00:00Z';
    const error = refusal({ content: interactionsCsv(...Array.from({ length: MAX_ROWS + 1 }, () => row)), format: 'csv' });
    expect(error.problems).toEqual([{ path: '', message: `has ${MAX_ROWS + 1} rows; at most ${MAX_ROWS} are accepted per file, so split it` }]);
  });

  it('accepts 50,000 rows, skipping blank lines and empty rows', () => {
    const row = 'facebook,a,,,follow,,2026-11-28T10:00:00Z';
    const content = `${interactionsCsv(...Array.from({ length: MAX_ROWS }, () => row))}\n\n,,,,,,\n`;
    expect(parseSocialExport({ content, format: 'csv' }).interactions).toHaveLength(MAX_ROWS);
  });

  it('refuses input that was not UTF-8 (replacement characters), saying on which line', () => {
    const content = interactionsCsv('facebook,a,,,comment,Caf\uFFFD,2026-11-28T10:00:00Z');
    const error = refusal({ content, format: 'csv' });
    expect(error.problems).toEqual([
      { path: '', line: 2, message: 'holds 1 replacement character (U+FFFD), the mark of bytes that were not UTF-8; export the file again as UTF-8' },
    ]);
    expect(error.message).toContain('not valid UTF-8');
  });

  it('reads a header-only file as empty, and a byte-order mark and CRLF line endings as usual', () => {
    expect(parseSocialExport({ content: interactionsCsv(), format: 'csv' })).toEqual({ interactions: [], aggregates: [] });
    const good = `\uFEFF${interactionsCsv('facebook,a,,,comment,"one\ntwo",2026-11-28T10:00:00Z').replaceAll('\n', '\r\n')}`;
    expect(parseSocialExport({ content: good, format: 'csv' }).interactions[0]?.interaction).toBe('one\ntwo');
    const bad = `\uFEFF${interactionsCsv('facebook,a,,,comment,"one\ntwo",2026-11-28T10:00:00Z', 'facebook,b,,bad,follow,,2026-11-28T10:00:00Z').replaceAll('\n', '\r\n')}`;
    expect(refusal({ content: bad, format: 'csv' }).problems).toEqual([{ path: 'email', line: 4, message: 'must be an e-mail address' }]);
  });
});

describe('parseSocialExport: CSV of aggregates', () => {
  it('reads the LinkedIn analytics fixture: metric names normalized, thousands grouped', async () => {
    const { interactions, aggregates } = parseSocialExport({ content: await fixture('linkedin-analytics.csv'), format: 'csv', platform: 'linkedin' });
    expect(interactions).toEqual([]);
    expect(aggregates).toEqual([
      { platform: 'linkedin', metric: 'impressions', period: '2026-11', value: 12480 },
      { platform: 'linkedin', metric: 'page-views', period: '2026-W47', value: 310 },
      { platform: 'linkedin', metric: 'unique-visitors', period: '2026-11-28', value: 42 },
      { platform: 'linkedin', metric: 'followers', period: '2026-11', value: 1203 },
    ]);
  });

  it('accepts the aggregate aliases and a platform column', () => {
    const content = 'Network,Metric Name,Date,Count\nYouTube,Views,2026-11-28,800\nyoutube,watch time,2026-w53,9';
    expect(parseSocialExport({ content, format: 'csv' }).aggregates).toEqual([
      { platform: 'youtube', metric: 'views', period: '2026-11-28', value: 800 },
      { platform: 'youtube', metric: 'watch-time', period: '2026-W53', value: 9 },
    ]);
  });

  it('refuses negative, fractional and missing values and impossible periods', () => {
    const content = [
      'platform,metric,period,value',
      'twitter,reach,2026-11,-5',
      'twitter,reach,2026-11,1.5',
      'twitter,reach,2026-11,',
      'twitter,reach,2025-W53,1',
      'twitter,reach,2026-13,1',
      'twitter,,2026-11,1',
    ].join('\n');
    expect(refusal({ content, format: 'csv' }).problems).toEqual([
      { path: 'value', line: 2, message: 'must not be negative' },
      { path: 'value', line: 3, message: 'must be a non-negative integer' },
      { path: 'value', line: 4, message: 'is required' },
      { path: 'period', line: 5, message: 'must be a month (2026-11), an ISO week (2026-W47) or a day (2026-11-28)' },
      { path: 'period', line: 6, message: 'must be a month (2026-11), an ISO week (2026-W47) or a day (2026-11-28)' },
      { path: 'metric', line: 7, message: 'is required' },
    ]);
  });

  it('refuses interaction columns in an aggregate file', () => {
    const error = refusal({ content: 'platform,metric,period,value,email\nfacebook,reach,2026-11,1,a@example.com', format: 'csv' });
    expect(error.problems).toEqual([{ path: 'email', line: 1, message: 'column "email" is not an aggregate column (known: platform, metric, period, value)' }]);
  });
});
