/**
 * The day's picture for the console's first screen: requests by deadline, consent
 * decisions per day with each cookie category's opt-in rate, and the audit chain's head.
 * Counts only: nothing here names anyone. Each figure is one aggregate query, so the
 * screen costs the same with ten requests as with ten million.
 */
import { sql, type Kysely } from 'kysely';
import { NEAR_DUE_MS } from '../requests/deadlines.js';
import { pendingStatuses } from '../requests/request.js';
import type { Declaration } from '../policy/declaration.js';
import type { Database } from '../store/schema.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RequestsOverview {
  pending: number;
  /** Pending and due within 7 days, overdue ones included. */
  dueSoon: number;
  overdue: number;
}

export async function requestsOverview(db: Kysely<Database>, now: Date): Promise<RequestsOverview> {
  const soon = new Date(now.getTime() + NEAR_DUE_MS).toISOString();
  const row = await db
    .selectFrom('requests')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('pending'),
      eb.fn.sum<number | string | null>(eb.case().when('due_at', '<=', soon).then(1).else(0).end()).as('dueSoon'),
      eb.fn.sum<number | string | null>(eb.case().when('due_at', '<', now.toISOString()).then(1).else(0).end()).as('overdue'),
    ])
    .where('status', 'in', pendingStatuses)
    .executeTakeFirst();
  return { pending: Number(row?.pending ?? 0), dueSoon: Number(row?.dueSoon ?? 0), overdue: Number(row?.overdue ?? 0) };
}

export interface ConsentOverview {
  /** Decisions recorded each day (UTC), oldest first, days without any included. */
  perDay: { day: string; decisions: number }[];
  /** Over the same days, for each optional cookie category: how many decisions granted it, refused it. */
  categories: { id: string; name: string; granted: number; refused: number; optInRate: number | null }[];
}

export async function consentOverview(db: Kysely<Database>, declaration: Pick<Declaration, 'cookies'>, now: Date, days = 14): Promise<ConsentOverview> {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * DAY_MS);
  const since = first.toISOString();
  const day = sql<string>`substr(recorded_at, 1, 10)`;
  const perDayRows = await db
    .selectFrom('consent_records')
    .select([day.as('day'), (eb) => eb.fn.countAll<number | string>().as('decisions')])
    .where('recorded_at', '>=', since)
    .groupBy(day)
    .execute();
  const counted = new Map(perDayRows.map((row) => [row.day, Number(row.decisions)]));
  const perDay = Array.from({ length: days }, (_, index) => {
    const date = new Date(first.getTime() + index * DAY_MS).toISOString().slice(0, 10);
    return { day: date, decisions: counted.get(date) ?? 0 };
  });
  const optional = declaration.cookies.filter((category) => !category.necessary);
  if (optional.length === 0) return { perDay, categories: [] };
  // granted and refused hold JSON arrays of ids: an id quoted in one is a decision about that
  // category (ids are lower-case letters, digits and dashes: nothing LIKE reads as a wildcard).
  const row = await db
    .selectFrom('consent_records')
    .select((eb) =>
      optional.flatMap((category, index) => [
        eb.fn.sum<number | string | null>(eb.case().when('granted', 'like', `%${JSON.stringify(category.id)}%`).then(1).else(0).end()).as(`g${index}`),
        eb.fn.sum<number | string | null>(eb.case().when('refused', 'like', `%${JSON.stringify(category.id)}%`).then(1).else(0).end()).as(`r${index}`),
      ]),
    )
    .where('recorded_at', '>=', since)
    .executeTakeFirst();
  const sums = (row ?? {}) as Record<string, number | string | null>;
  return {
    perDay,
    categories: optional.map((category, index) => {
      const granted = Number(sums[`g${index}`] ?? 0);
      const refused = Number(sums[`r${index}`] ?? 0);
      return { id: category.id, name: category.name, granted, refused, optInRate: granted + refused === 0 ? null : granted / (granted + refused) };
    }),
  };
}
