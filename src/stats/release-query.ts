/**
 * What a statistics release asks for: which counts, by which dimensions, over which
 * events, at what privacy cost (epsilon) and under which contribution bounds. One schema
 * serves the HTTP body, the command line and the stored copy of each release.
 */
import { z } from 'zod';
import { VowError } from '../errors.js';
import { parseRational } from './discrete-samplers.js';
import { formatRational } from './privacy-budget.js';

/** The data sets a release may draw on; each has its own privacy budget. */
export const datasets = ['events'] as const;
export type Dataset = (typeof datasets)[number];

/** `count`: events in the cell; `subjects`: distinct subjects in the cell. */
export const measures = ['count', 'subjects'] as const;
export type Measure = (typeof measures)[number];

/** `week` is the ISO week (`2026-W47`) and `month` the calendar month (`2026-11`), both in UTC. */
export const dimensions = ['country', 'day', 'week', 'month', 'category', 'name'] as const;
export type Dimension = (typeof dimensions)[number];

const Epsilon = z
  .string()
  .max(64)
  .refine((text) => {
    try {
      return parseRational(text).num > 0n;
    } catch {
      return false;
    }
  }, 'must be a positive decimal such as 0.5 (or a fraction such as 1/3)');

const Label = z.string().min(1).max(64);

export const ReleaseQuerySchema = z
  .strictObject({
    dataset: z.enum(datasets).default('events'),
    measure: z.enum(measures).default('count'),
    filter: z.strictObject({ category: Label.optional(), name: Label.optional() }).optional(),
    dimensions: z
      .array(z.enum(dimensions))
      .min(1)
      .max(3)
      .refine((list) => new Set(list).size === list.length, 'must not repeat a dimension'),
    from: z.iso.date().optional().describe('first day included (UTC)'),
    to: z.iso.date().optional().describe('last day included (UTC)'),
    epsilon: Epsilon.describe('the privacy cost charged to the data set’s budget'),
    maxCellsPerSubject: z.number().int().min(1).max(1000).default(10),
    maxValuePerCell: z.number().int().min(1).max(1_000_000).default(10).describe('for count: the most one subject adds to one cell'),
    minSubjects: z.number().int().min(1).max(1_000_000).default(10).describe('cells with fewer distinct subjects are suppressed'),
  })
  .refine((query) => query.from === undefined || query.to === undefined || query.from <= query.to, {
    path: ['to'],
    error: 'must not be before from',
  });

/** A validated request, defaults filled in. */
export type ReleaseQuery = z.output<typeof ReleaseQuerySchema>;
/** A request as a caller writes it, defaults optional. */
export type ReleaseQueryInput = z.input<typeof ReleaseQuerySchema>;

/**
 * Validates a request from outside HTTP (the command line), refusing with every problem
 * named by its field.
 *
 * @example
 * parseReleaseQuery({ dimensions: ['country', 'week'], epsilon: '0.5' }).minSubjects; // 10
 */
export function parseReleaseQuery(input: unknown): ReleaseQuery {
  const parsed = ReleaseQuerySchema.safeParse(input);
  if (parsed.success) return normalizeQuery(parsed.data);
  const problems = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  throw new VowError('bad_request', `invalid statistics query: ${problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`, problems);
}

/** The query as stored: epsilon written exactly and canonically ("0.50" becomes "0.5"), an empty filter dropped. */
export function normalizeQuery(query: ReleaseQuery): ReleaseQuery {
  const filter = query.filter && (query.filter.category !== undefined || query.filter.name !== undefined) ? query.filter : undefined;
  const normalized: ReleaseQuery = { ...query, epsilon: formatRational(parseRational(query.epsilon)) };
  if (filter) normalized.filter = filter;
  else delete normalized.filter;
  return normalized;
}
