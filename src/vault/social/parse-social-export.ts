/**
 * Turns the files our Social Media Pages export into normalized records (policy §1,
 * "Personal Information We Collect Through Our Social Media Pages"): the interactions
 * people elect to have with us there (comments, messages, mentions, with whatever
 * contact details they chose to give), and the aggregate analytics the platforms
 * provide. Pure: no database, no clock, no I/O.
 *
 * Two inputs are accepted:
 * - JSON in Vow's own shape (`SocialExportFile`), strict: an unknown key is refused by name.
 * - CSV with a header row; the header decides whether the rows are interactions
 *   (`platform,handle,name,email,kind,interaction,occurred_at`) or aggregates
 *   (`platform,metric,period,value`). Common platform-export column names are accepted
 *   as aliases (table below), so a real export needs little editing.
 *
 * Every bad row is reported, with its CSV line or its JSON index path and the column
 * or field at fault, and never with the value: the values are personal data.
 *
 * @example
 * const { interactions } = parseSocialExport({ content: await readFile(file, 'utf8'), format: 'csv', platform: 'instagram' });
 */
import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import { z, type core } from 'zod';
import { VowError, type Problem } from '../../errors.js';

/** At most this many rows (CSV data rows, or JSON interactions plus aggregates) per file. */
export const MAX_ROWS = 50_000;
export const MAX_INTERACTION_LENGTH = 10_000;
const MAX_HANDLE_LENGTH = 255;
const MAX_NAME_LENGTH = 300;
const MAX_EMAIL_LENGTH = 254;
const MAX_METRIC_LENGTH = 64;
/** How many problems the error message spells out; `problems` always holds them all. */
const LISTED_PROBLEMS = 10;

export const platforms = ['instagram', 'facebook', 'medium', 'twitter', 'youtube', 'linkedin'] as const;
export const interactionKinds = ['comment', 'message', 'mention', 'follow', 'reaction', 'other'] as const;
/** Kinds that are nothing without their text; follows, reactions and others may have none. */
const kindsWithText: ReadonlySet<InteractionKind> = new Set(['comment', 'message', 'mention']);

/*
 * Accepted spellings. Header cells and kind/platform values are compared after
 * normalizing: trimmed, camelCase split, lower-cased, runs of spaces, dashes and dots
 * turned into `_` (so `Screen Name`, `screen-name` and `screenName` are `screen_name`).
 *
 * Interaction columns
 * | column        | aliases                                                                    |
 * |---------------|----------------------------------------------------------------------------|
 * | platform      | network, social_network                                                    |
 * | handle        | username, user_name, user, screen_name, author, author_handle, account    |
 * | name          | full_name, display_name, author_name, profile_name                         |
 * | email         | email_address, e_mail, mail                                                |
 * | kind          | type, interaction_type, event, event_type                                  |
 * | interaction   | text, comment, message, body, content, full_text, tweet, comment_text,     |
 * |               | message_text                                                               |
 * | occurred_at   | timestamp, date, created_at, created_time, time, datetime, date_time,      |
 * |               | published_at, sent_at                                                      |
 *
 * Aggregate columns (a header with a metric or value column is an aggregate file)
 * | column        | aliases                                                                    |
 * |---------------|----------------------------------------------------------------------------|
 * | platform      | network, social_network                                                    |
 * | metric        | metric_name, measure, statistic                                            |
 * | period        | date, day, week, month                                                     |
 * | value         | count, total                                                               |
 *
 * Values
 * | field    | value       | aliases                                                             |
 * |----------|-------------|---------------------------------------------------------------------|
 * | platform | twitter     | x                                                                   |
 * | kind     | comment     | comments, reply, replies, response                                  |
 * | kind     | message     | messages, dm, direct_message, private_message                       |
 * | kind     | mention     | mentions, tag, tagged                                               |
 * | kind     | follow      | follows, follower, subscribe, subscriber, subscription, connection  |
 * | kind     | reaction    | reactions, like, likes, favorite, favourite, clap, claps, love      |
 *
 * Other leniencies: a leading `@` on handles is dropped and handles are lower-cased;
 * metric names are lower-cased with runs of other characters turned into `-`
 * (`Page Views` → `page-views`); CSV values may group thousands (`"1,234"`); the CSV
 * delimiter may be `,`, `;` or a tab (whichever the header line uses most); rows whose
 * cells are all empty are skipped.
 */
const interactionColumns = {
  platform: ['network', 'social_network'],
  handle: ['username', 'user_name', 'user', 'screen_name', 'author', 'author_handle', 'account'],
  name: ['full_name', 'display_name', 'author_name', 'profile_name'],
  email: ['email_address', 'e_mail', 'mail'],
  kind: ['type', 'interaction_type', 'event', 'event_type'],
  interaction: ['text', 'comment', 'message', 'body', 'content', 'full_text', 'tweet', 'comment_text', 'message_text'],
  occurred_at: ['timestamp', 'date', 'created_at', 'created_time', 'time', 'datetime', 'date_time', 'published_at', 'sent_at'],
} as const;

const aggregateColumns = {
  platform: ['network', 'social_network'],
  metric: ['metric_name', 'measure', 'statistic'],
  period: ['date', 'day', 'week', 'month'],
  value: ['count', 'total'],
} as const;

const platformAliases: Readonly<Record<string, Platform>> = { x: 'twitter' };

const kindAliases: Readonly<Record<string, InteractionKind>> = {
  comments: 'comment', reply: 'comment', replies: 'comment', response: 'comment',
  messages: 'message', dm: 'message', direct_message: 'message', private_message: 'message',
  mentions: 'mention', tag: 'mention', tagged: 'mention',
  follows: 'follow', follower: 'follow', subscribe: 'follow', subscriber: 'follow', subscription: 'follow', connection: 'follow',
  reactions: 'reaction', like: 'reaction', likes: 'reaction', favorite: 'reaction', favourite: 'reaction', clap: 'reaction', claps: 'reaction', love: 'reaction',
};

// ---------------------------------------------------------------------------------
// The normalized records: what callers get back.

export const Platform = z.enum(platforms, { error: `must be one of ${platforms.join(', ')}` });
export type Platform = z.infer<typeof Platform>;

export const InteractionKind = z.enum(interactionKinds, { error: `must be one of ${interactionKinds.join(', ')}` });
export type InteractionKind = z.infer<typeof InteractionKind>;

export const SocialInteraction = z
  .strictObject({
    platform: Platform,
    /** Lower-case, without a leading `@`. */
    handle: z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_HANDLE_LENGTH, `must be at most ${MAX_HANDLE_LENGTH} characters`)
      .refine((handle) => handle === normalizeHandle(handle) && !/\s/.test(handle), 'must be lower-case, without spaces or a leading @'),
    name: z.string().min(1, 'must not be empty').max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`).optional(),
    email: z.email('must be an e-mail address').max(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`).optional(),
    /** The comment, message or mention text; may be empty for follows, reactions and others. */
    interaction: z.string().max(MAX_INTERACTION_LENGTH, `must be at most ${MAX_INTERACTION_LENGTH} characters`),
    kind: InteractionKind,
    /** ISO-8601 in UTC, e.g. `2026-11-28T14:03:00.000Z`. */
    occurredAt: z.iso.datetime('must be an ISO-8601 date-time in UTC'),
  })
  .superRefine((record, ctx) => {
    if (kindsWithText.has(record.kind) && record.interaction === '') {
      ctx.addIssue({ code: 'custom', path: ['interaction'], message: `is required for a ${record.kind}` });
    }
  });
export type SocialInteraction = z.infer<typeof SocialInteraction>;

export const SocialAggregate = z.strictObject({
  platform: Platform,
  /** Lower-case words joined by dashes: `reach`, `impressions`, `page-views`. */
  metric: z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_METRIC_LENGTH, `must be at most ${MAX_METRIC_LENGTH} characters`)
    .refine((metric) => metric === normalizeMetric(metric), 'must be lower-case words joined by dashes, such as page-views'),
  /** A month (`2026-11`), an ISO week (`2026-W47`) or a day (`2026-11-28`). */
  period: z.string().refine(isPeriod, 'must be a month (2026-11), an ISO week (2026-W47) or a day (2026-11-28)'),
  value: z
    .number('must be a non-negative integer')
    .int('must be a non-negative integer')
    .min(0, 'must not be negative')
    .max(Number.MAX_SAFE_INTEGER, 'is too large'),
});
export type SocialAggregate = z.infer<typeof SocialAggregate>;

export const SocialExport = z.strictObject({
  interactions: z.array(SocialInteraction),
  aggregates: z.array(SocialAggregate),
});
export type SocialExport = z.infer<typeof SocialExport>;

// ---------------------------------------------------------------------------------
// What a file may say: the same fields, trimmed, blanks dropped, spellings normalized.

/** Trims strings; an empty string is a missing value. */
function clean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

const requiredOr = (expected: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${expected}`);

const text = (max: number) => z.string({ error: requiredOr('text') }).max(max, `must be at most ${max} characters`);

const PlatformInput = z.preprocess(
  (value) => {
    const cleaned = clean(value);
    return typeof cleaned === 'string' ? (platformAliases[token(cleaned)] ?? token(cleaned)) : cleaned;
  },
  z.enum(platforms, { error: requiredOr(`one of ${platforms.join(', ')}`) }).optional(),
);

const KindInput = z.preprocess(
  (value) => {
    const cleaned = clean(value);
    return typeof cleaned === 'string' ? (kindAliases[token(cleaned)] ?? token(cleaned)) : cleaned;
  },
  z.enum(interactionKinds, { error: requiredOr(`one of ${interactionKinds.join(', ')}`) }).optional(),
);

const HandleInput = z.preprocess(
  (value) => clean(typeof value === 'string' ? normalizeHandle(value) : value),
  text(MAX_HANDLE_LENGTH).regex(/^\S+$/, 'must not contain spaces'),
);

const OptionalText = (max: number) => z.preprocess(clean, text(max).optional());

const EmailInput = z.preprocess(
  clean,
  z.email({ error: requiredOr('an e-mail address') }).max(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`).optional(),
);

const OCCURRED_AT_FORMS =
  'an ISO-8601 date-time with a time zone (2026-11-28T14:03:00Z, +02:00 or UTC), a date (2026-11-28) or Unix seconds or milliseconds';

const OccurredAtInput = z.preprocess(
  clean,
  z.union([z.string(), z.number()], { error: requiredOr(OCCURRED_AT_FORMS) }).transform((value, ctx) => {
    const iso = toUtcIso(value);
    if (iso === undefined) {
      ctx.issues.push({ code: 'custom', message: `must be ${OCCURRED_AT_FORMS}`, input: value });
      return z.NEVER;
    }
    return iso;
  }),
);

const MetricInput = z.preprocess(
  (value) => clean(typeof value === 'string' ? normalizeMetric(value) : value),
  text(MAX_METRIC_LENGTH),
);

const PeriodInput = z.preprocess(
  (value) => clean(typeof value === 'string' ? value.toUpperCase() : value),
  z.string({ error: requiredOr('a period') }).refine(isPeriod, 'must be a month (2026-11), an ISO week (2026-W47) or a day (2026-11-28)'),
);

const ValueInput = z.preprocess(
  clean,
  z
    .number({ error: requiredOr('a non-negative integer') })
    .int('must be a non-negative integer')
    .min(0, 'must not be negative')
    .max(Number.MAX_SAFE_INTEGER, 'is too large'),
);

/** One interaction as a file states it; platform and kind may come from the file or the options. */
export const SocialInteractionEntry = z.strictObject({
  platform: PlatformInput,
  handle: HandleInput,
  name: OptionalText(MAX_NAME_LENGTH),
  email: EmailInput,
  kind: KindInput,
  interaction: OptionalText(MAX_INTERACTION_LENGTH),
  occurredAt: OccurredAtInput,
});
export type SocialInteractionEntry = z.infer<typeof SocialInteractionEntry>;

export const SocialAggregateEntry = z.strictObject({
  platform: PlatformInput,
  metric: MetricInput,
  period: PeriodInput,
  value: ValueInput,
});
export type SocialAggregateEntry = z.infer<typeof SocialAggregateEntry>;

/**
 * Vow's own JSON shape. `platform` at the top applies to entries that name none.
 *
 * @example
 * { "platform": "facebook",
 *   "interactions": [{ "handle": "@jane", "kind": "comment", "interaction": "Hello", "occurredAt": "2026-11-28T14:03:00Z" }],
 *   "aggregates": [{ "metric": "reach", "period": "2026-11", "value": 1200 }] }
 */
export const SocialExportFile = z.strictObject({
  platform: PlatformInput,
  interactions: z.array(SocialInteractionEntry).max(MAX_ROWS, `must hold at most ${MAX_ROWS} rows`).optional(),
  aggregates: z.array(SocialAggregateEntry).max(MAX_ROWS, `must hold at most ${MAX_ROWS} rows`).optional(),
});
export type SocialExportFile = z.infer<typeof SocialExportFile>;

export const ParseSocialExportInput = z.strictObject({
  /** The file's text, read as UTF-8. */
  content: z.string('must be a string'),
  format: z.enum(['json', 'csv'], 'must be json or csv'),
  /** Fills a missing platform column or field. */
  platform: Platform.optional(),
  /** Fills a missing kind column or field; without it a missing kind is `other`. */
  kind: InteractionKind.optional(),
});
export type ParseSocialExportInput = z.infer<typeof ParseSocialExportInput>;

// ---------------------------------------------------------------------------------

/**
 * Parses one export file into normalized interactions and aggregates, or throws a
 * `VowError('bad_request')` whose `problems` list every bad row (never its values).
 */
export function parseSocialExport(input: ParseSocialExportInput): SocialExport {
  const options = ParseSocialExportInput.safeParse(input);
  if (!options.success) {
    refuse('the parse options are invalid', options.error.issues.flatMap((issue) => problemsOfIssue(issue, (path) => ({ path: formatPath(path) }))));
  }
  const { content, format } = options.data;
  refuseReplacementCharacters(content);
  const fill = { platform: options.data.platform, kind: options.data.kind };
  return format === 'json' ? parseJson(content, fill) : parseCsvExport(content, fill);
}

interface Fill {
  platform: Platform | undefined;
  kind: InteractionKind | undefined;
}

type Place = (path: readonly PropertyKey[]) => { path: string; line?: number };

function refuseReplacementCharacters(content: string): void {
  const first = content.indexOf('\uFFFD');
  if (first === -1) return;
  const count = content.split('\uFFFD').length - 1;
  refuse('the content is not valid UTF-8', [
    {
      path: '',
      line: lineAt(content, first),
      message: `holds ${count} replacement character${count === 1 ? '' : 's'} (U+FFFD), the mark of bytes that were not UTF-8; export the file again as UTF-8`,
    },
  ]);
}

// JSON -----------------------------------------------------------------------------

/** `SocialExportFile` with its entries left to be checked one by one. */
const FileFrame = SocialExportFile.extend({
  interactions: z.array(z.unknown()).max(MAX_ROWS).optional(),
  aggregates: z.array(z.unknown()).max(MAX_ROWS).optional(),
});

function parseJson(content: string, fill: Fill): SocialExport {
  const text = content.replace(/^\uFEFF/, '');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // The engine's message may quote the text around the fault, so only its position is kept.
    const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
    const line = position === undefined ? undefined : lineAt(text, Number(position));
    refuse('the content is not valid JSON', [{ path: '', message: 'is not valid JSON', ...(line === undefined ? {} : { line }) }]);
  }
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const rows = ['interactions', 'aggregates'].reduce((sum, key) => {
      const entries = (data as Record<string, unknown>)[key];
      return sum + (Array.isArray(entries) ? entries.length : 0);
    }, 0);
    refuseTooManyRows(rows);
  }
  // The file's frame first (unknown keys, its platform); then each entry on its own, so
  // that every bad entry is listed at once.
  const parsed = FileFrame.safeParse(data);
  const place: Place = (path) => ({ path: formatPath(path) });
  if (!parsed.success) refuseRows(parsed.error.issues.flatMap((issue) => problemsOfIssue(issue, place)));

  const file = parsed.data;
  const fileFill = { platform: file.platform ?? fill.platform, kind: fill.kind };
  const problems: Problem[] = [];
  const interactions: SocialInteraction[] = [];
  const aggregates: SocialAggregate[] = [];
  (file.interactions ?? []).forEach((raw, index) => {
    const at: Place = (path) => place(['interactions', index, ...path]);
    const entry = SocialInteractionEntry.safeParse(raw);
    if (entry.success) interactions.push(...finishInteraction(entry.data, fileFill, at, problems));
    else problems.push(...entry.error.issues.flatMap((issue) => problemsOfIssue(issue, at)));
  });
  (file.aggregates ?? []).forEach((raw, index) => {
    const at: Place = (path) => place(['aggregates', index, ...path]);
    const entry = SocialAggregateEntry.safeParse(raw);
    if (entry.success) aggregates.push(...finishAggregate(entry.data, fileFill, at, problems));
    else problems.push(...entry.error.issues.flatMap((issue) => problemsOfIssue(issue, at)));
  });
  if (problems.length > 0) refuseRows(problems);
  return { interactions, aggregates };
}

// CSV ------------------------------------------------------------------------------

interface CsvRow {
  cells: string[];
  /** 1-based line on which the row starts. */
  line: number;
}

type InteractionColumn = keyof typeof interactionColumns;
type AggregateColumn = keyof typeof aggregateColumns;
type AnyColumn = InteractionColumn | AggregateColumn;
type ColumnTable = Readonly<Partial<Record<AnyColumn, readonly string[]>>>;

const entryKeyOf: Record<AnyColumn, string> = {
  platform: 'platform',
  handle: 'handle',
  name: 'name',
  email: 'email',
  kind: 'kind',
  interaction: 'interaction',
  occurred_at: 'occurredAt',
  metric: 'metric',
  period: 'period',
  value: 'value',
};

function parseCsvExport(content: string, fill: Fill): SocialExport {
  const rows = readCsv(content);
  const header = rows.shift();
  if (header === undefined) return { interactions: [], aggregates: [] };
  const data = rows.filter((row) => row.cells.some((cell) => cell.trim() !== ''));
  refuseTooManyRows(data.length);

  const aggregateAliases = aliasMap(aggregateColumns);
  const isAggregate = header.cells.some((cell) => ['metric', 'value'].includes(aggregateAliases.get(headerToken(cell)) ?? ''));
  const columns = mapHeader(header, isAggregate ? aggregateColumns : interactionColumns, fill);

  const problems: Problem[] = [];
  const interactions: SocialInteraction[] = [];
  const aggregates: SocialAggregate[] = [];
  for (const row of data) {
    if (row.cells.length !== header.cells.length) {
      problems.push({ path: '', line: row.line, message: `has ${row.cells.length} cells where the header has ${header.cells.length}` });
      continue;
    }
    const entry: Record<string, unknown> = {};
    for (const column of columns) {
      const cell = row.cells[column.index];
      entry[entryKeyOf[column.canonical]] = column.canonical === 'value' && cell !== undefined ? csvNumber(cell) : cell;
    }
    const place: Place = (path) => {
      const key = path[0];
      const column = columns.find((candidate) => entryKeyOf[candidate.canonical] === key);
      return { path: column?.header ?? (typeof key === 'string' ? key : ''), line: row.line };
    };
    if (isAggregate) {
      const parsed = SocialAggregateEntry.safeParse(entry);
      if (parsed.success) aggregates.push(...finishAggregate(parsed.data, fill, place, problems));
      else problems.push(...parsed.error.issues.flatMap((issue) => problemsOfIssue(issue, place)));
    } else {
      const parsed = SocialInteractionEntry.safeParse(entry);
      if (parsed.success) interactions.push(...finishInteraction(parsed.data, fill, place, problems));
      else problems.push(...parsed.error.issues.flatMap((issue) => problemsOfIssue(issue, place)));
    }
  }
  if (problems.length > 0) refuseRows(problems);
  return { interactions, aggregates };
}

function readCsv(content: string): CsvRow[] {
  // One line ending throughout, so that line numbers count the way editors do.
  const text = content.replace(/\r\n?/g, '\n');
  const rows: CsvRow[] = [];
  try {
    parseCsv(text, {
      bom: true,
      delimiter: delimiterOf(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      on_record: (cells: string[], info) => {
        // `info.lines` is the line a record ends on; quoted cells may span lines.
        const spanned = cells.reduce((sum, cell) => sum + cell.split('\n').length - 1, 0);
        rows.push({ cells, line: info.lines - spanned });
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // csv-parse's messages quote the text near the fault, so only the line and the kind are kept.
    const line = typeof error.lines === 'number' ? error.lines : undefined;
    const message =
      error.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quoted cell is never closed'
        : error.code === 'CSV_INVALID_CLOSING_QUOTE'
          ? 'a quoted cell is followed by other characters before the next delimiter'
          : `is not valid CSV (${error.code})`;
    refuse('the content is not valid CSV', [{ path: '', message, ...(line === undefined ? {} : { line }) }]);
  }
  return rows;
}

/** The delimiter the header line uses most: `,` unless `;` or a tab outnumber it. */
function delimiterOf(text: string): string {
  const firstLine = text.replace(/^\uFEFF/, '').split('\n').find((line) => line.trim() !== '') ?? '';
  const count = (delimiter: string) => firstLine.split(delimiter).length - 1;
  const best = [';', '\t'].reduce((winner, candidate) => (count(candidate) > count(winner) ? candidate : winner), ',');
  return best;
}

interface Column {
  canonical: AnyColumn;
  /** Its place in each row. */
  index: number;
  /** The header cell as the file spells it, for messages. */
  header: string;
}

function mapHeader(header: CsvRow, known: ColumnTable, fill: Fill): Column[] {
  const aliases = aliasMap(known);
  const problems: Problem[] = [];
  const columns: Column[] = [];
  const kind = 'metric' in known ? 'an aggregate' : 'an interaction';
  for (const [index, cell] of header.cells.entries()) {
    const spelled = cell.trim().replace(/^\uFEFF/, '');
    if (spelled === '') {
      problems.push({ path: `column ${index + 1}`, line: header.line, message: 'has no name in the header' });
      continue;
    }
    const canonical = aliases.get(headerToken(spelled));
    const shown = JSON.stringify(spelled.slice(0, 60));
    if (canonical === undefined) {
      problems.push({ path: spelled, line: header.line, message: `column ${shown} is not ${kind} column (known: ${Object.keys(known).join(', ')})` });
      continue;
    }
    const earlier = columns.find((column) => column.canonical === canonical);
    if (earlier) {
      problems.push({ path: spelled, line: header.line, message: `column ${shown} repeats column ${JSON.stringify(earlier.header)} (both are ${canonical})` });
      continue;
    }
    columns.push({ canonical, index, header: spelled });
  }
  const present = new Set<string>(columns.map((column) => column.canonical));
  const required = 'metric' in known ? ['metric', 'period', 'value'] : ['handle', 'occurred_at'];
  for (const name of required) {
    if (!present.has(name)) problems.push({ path: name, line: header.line, message: `column ${name} is required` });
  }
  if (!present.has('platform') && fill.platform === undefined) {
    problems.push({ path: 'platform', line: header.line, message: 'column platform is required unless the platform option is given' });
  }
  if (problems.length > 0) refuse('the CSV header is not usable', problems);
  return columns;
}

function aliasMap(known: ColumnTable): Map<string, AnyColumn> {
  const map = new Map<string, AnyColumn>();
  for (const [canonical, aliases] of Object.entries(known) as [AnyColumn, readonly string[]][]) {
    map.set(canonical, canonical);
    for (const alias of aliases) map.set(alias, canonical);
  }
  return map;
}

/** CSV cells that are numbers become numbers (thousands may be grouped with commas); others stay text to be refused. */
function csvNumber(cell: string): unknown {
  const trimmed = cell.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (/^\d{1,3}(,\d{3})+$/.test(trimmed)) return Number(trimmed.replaceAll(',', ''));
  return cell;
}

// Both formats ---------------------------------------------------------------------

function finishInteraction(entry: SocialInteractionEntry, fill: Fill, place: Place, problems: Problem[]): SocialInteraction[] {
  const platform = entry.platform ?? fill.platform;
  if (platform === undefined) {
    problems.push({ ...place(['platform']), message: 'is required (no platform in the row, the file or the options)' });
    return [];
  }
  const record = {
    platform,
    handle: entry.handle,
    ...(entry.name === undefined ? {} : { name: entry.name }),
    ...(entry.email === undefined ? {} : { email: entry.email }),
    interaction: entry.interaction ?? '',
    kind: entry.kind ?? fill.kind ?? 'other',
    occurredAt: entry.occurredAt,
  };
  const checked = SocialInteraction.safeParse(record);
  if (checked.success) return [checked.data];
  problems.push(...checked.error.issues.flatMap((issue) => problemsOfIssue(issue, place)));
  return [];
}

function finishAggregate(entry: SocialAggregateEntry, fill: Fill, place: Place, problems: Problem[]): SocialAggregate[] {
  const platform = entry.platform ?? fill.platform;
  if (platform === undefined) {
    problems.push({ ...place(['platform']), message: 'is required (no platform in the row, the file or the options)' });
    return [];
  }
  const checked = SocialAggregate.safeParse({ ...entry, platform });
  if (checked.success) return [checked.data];
  problems.push(...checked.error.issues.flatMap((issue) => problemsOfIssue(issue, place)));
  return [];
}

function problemsOfIssue(issue: core.$ZodIssue, place: Place): Problem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ ...place([...issue.path, key]), message: `unknown field ${JSON.stringify(key.slice(0, 60))}` }));
  }
  return [{ ...place(issue.path), message: issue.message }];
}

function refuseTooManyRows(rows: number): void {
  if (rows > MAX_ROWS) {
    refuse(`the file has ${rows} rows, more than the ${MAX_ROWS} allowed`, [
      { path: '', message: `has ${rows} rows; at most ${MAX_ROWS} are accepted per file, so split it` },
    ]);
  }
}

function refuseRows(problems: Problem[]): never {
  return refuse(`the social export has ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
}

function refuse(summary: string, problems: Problem[]): never {
  const listed = problems.slice(0, LISTED_PROBLEMS).map(describe).join('; ');
  const more = problems.length > LISTED_PROBLEMS ? `; and ${problems.length - LISTED_PROBLEMS} more` : '';
  throw new VowError('bad_request', `${summary}: ${listed}${more}`, problems);
}

function describe(problem: Problem): string {
  const where = [problem.line === undefined ? undefined : `line ${problem.line}`, problem.path === '' ? undefined : problem.path]
    .filter((part) => part !== undefined)
    .join(', ');
  return where === '' ? problem.message : `${where}: ${problem.message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    const name = String(segment);
    return text === '' ? name : `${text}.${name}`;
  }, '');
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

// Normalizers ----------------------------------------------------------------------

/** `Created At`, `created-at`, `createdAt` → `created_at`. */
function headerToken(cell: string): string {
  return token(cell.replace(/([a-z0-9])([A-Z])/g, '$1_$2'));
}

function token(value: string): string {
  return value.trim().toLowerCase().replace(/[\s\-.]+/g, '_');
}

function normalizeHandle(handle: string): string {
  return handle.trim().replace(/^@+/, '').toLowerCase();
}

function normalizeMetric(metric: string): string {
  return metric
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

const IsoDate = z.iso.date();

function isPeriod(period: string): boolean {
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return true;
  const week = /^(\d{4})-W(\d{2})$/.exec(period);
  if (week) {
    const number = Number(week[2]);
    return number >= 1 && number <= isoWeeksIn(Number(week[1]));
  }
  return IsoDate.safeParse(period).success;
}

/** 53 when the year starts on a Thursday, or on a Wednesday in a leap year; else 52. */
function isoWeeksIn(year: number): number {
  const startsOn = new Date(Date.UTC(year, 0, 1)).getUTCDay();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return startsOn === 4 || (leap && startsOn === 3) ? 53 : 52;
}

const MAX_EPOCH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)? ?(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$/i;
/** Twitter's archive format: `Wed Oct 10 20:19:24 +0000 2018`. */
const TWITTER_DATE_TIME = /^[a-z]{3} ([a-z]{3}) (\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{4}) (\d{4})$/i;

/** An instant as ISO-8601 UTC, or undefined when the value is not a date-time we accept. */
function toUtcIso(value: string | number): string | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (/^(\d{9,10}|\d{12,13})$/.test(value)) return fromEpoch(Number(value));
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return IsoDate.safeParse(value).success ? `${value}T00:00:00.000Z` : undefined;

  const twitter = TWITTER_DATE_TIME.exec(value);
  const candidate = twitter ? fromTwitter(twitter) : value;
  if (candidate === undefined) return undefined;
  const parts = ISO_DATE_TIME.exec(candidate);
  if (!parts) return undefined;
  const [, date = '', hours = '', minutes = '', seconds = '00', fraction = '', zone = ''] = parts;
  if (!IsoDate.safeParse(date).success || Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  let offset = zone.toUpperCase();
  if (offset === 'UTC' || offset === 'GMT') offset = 'Z';
  if (offset !== 'Z') {
    const [, sign = '+', offsetHours = '', offsetMinutes = '00'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset) ?? [];
    if (Number(offsetHours) > 14 || Number(offsetMinutes) > 59) return undefined;
    offset = `${sign}${offsetHours}:${offsetMinutes}`;
  }
  const millis = fraction === '' ? '' : `.${fraction.padEnd(3, '0').slice(0, 3)}`;
  const instant = new Date(`${date}T${hours}:${minutes}:${seconds}${millis}${offset}`);
  return Number.isNaN(instant.getTime()) ? undefined : instant.toISOString();
}

function fromTwitter(parts: RegExpExecArray): string | undefined {
  const [, monthName = '', day = '', time = '', offset = '', year = ''] = parts;
  const month = months.indexOf(monthName.toLowerCase()) + 1;
  if (month === 0) return undefined;
  return `${year}-${String(month).padStart(2, '0')}-${day}T${time}${offset}`;
}

/** Unix time: seconds below 10^11 (until the year 5138), milliseconds above. */
function fromEpoch(value: number): string | undefined {
  if (!Number.isSafeInteger(value) || value < 0) return undefined;
  const ms = value < 1e11 ? value * 1000 : value;
  return ms > MAX_EPOCH_MS ? undefined : new Date(ms).toISOString();
}
