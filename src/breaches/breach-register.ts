/**
 * The register of personal data breaches (GDPR art. 33(5); policy §7, "loss, misuse, and
 * unauthorized access"): what happened, when it began and was discovered, the categories
 * and the people affected (pseudonymous ids), the likely consequences and the measures
 * taken — the words sealed under the `breaches` vault key — and the clocks that run from
 * discovery. Every step is in the audit chain.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import { VowError } from '../errors.js';
import type { BreachTable, Database } from '../store/schema.js';
import { open, seal } from '../vault/aes-gcm.js';
import type { VaultContext } from '../vault/vault-context.js';
import { loadOrCreateVaultKey } from '../vault/vault-keys.js';

export const breachRisks = ['low', 'high'] as const;
export type BreachRisk = (typeof breachRisks)[number];

/** What staff write about a breach, sealed. */
export interface BreachDetails {
  title: string;
  description: string;
  consequences: string;
  measures: string;
}

export interface BreachClock {
  /** `authority` (GDPR art. 33), `subjects` (art. 34), `california` (Cal. Civ. Code § 1798.82). */
  id: 'authority' | 'subjects' | 'california';
  law: string;
  /** When it is due; null when it does not apply (a low risk needs no notice to the people affected). */
  dueAt: string | null;
  doneAt: string | null;
  overdue: boolean;
}

export interface Breach extends BreachDetails {
  id: string;
  status: 'open' | 'closed';
  risk: BreachRisk;
  beganAt: string;
  discoveredAt: string;
  categories: string[];
  subjectCount: number;
  authorityNotifiedAt: string | null;
  authorityReference: string | null;
  subjectsNotifiedAt: string | null;
  recordedBy: string;
  recordedAt: string;
  closedAt: string | null;
  clocks: BreachClock[];
}

const HOUR_MS = 60 * 60 * 1000;
/** GDPR art. 33(1): the supervisory authority within 72 hours of becoming aware. */
export const AUTHORITY_HOURS = 72;
/** California's outer limit for telling its residents, as the policy's operators count it. */
export const CALIFORNIA_DAYS = 30;

export function clocksOf(row: Pick<BreachTable, 'discovered_at' | 'risk' | 'authority_notified_at' | 'subjects_notified_at'>, now: Date): BreachClock[] {
  const discovered = Date.parse(row.discovered_at);
  const clock = (id: BreachClock['id'], law: string, dueAt: string | null, doneAt: string | null): BreachClock => ({
    id,
    law,
    dueAt,
    doneAt,
    overdue: dueAt !== null && doneAt === null && Date.parse(dueAt) < now.getTime(),
  });
  return [
    clock('authority', 'GDPR art. 33: the supervisory authority, within 72 hours of discovery', new Date(discovered + AUTHORITY_HOURS * HOUR_MS).toISOString(), row.authority_notified_at),
    // "Without undue delay": due from discovery whenever the risk is high.
    clock('subjects', 'GDPR art. 34: the people affected, without undue delay, when the risk to them is high', row.risk === 'high' ? row.discovered_at : null, row.subjects_notified_at),
    clock('california', 'California: residents affected, within 30 days', new Date(discovered + CALIFORNIA_DAYS * 24 * HOUR_MS).toISOString(), row.subjects_notified_at),
  ];
}

const breachesKey = (ctx: VaultContext) => loadOrCreateVaultKey(ctx.db, ctx.keyring, 'breaches', () => randomBytes(32));
const sealDetails = (key: Buffer, id: string, details: BreachDetails) => seal(key, Buffer.from(JSON.stringify(details), 'utf8'), `breach\0${id}`);
const openDetails = (key: Buffer, id: string, sealed: string) => JSON.parse(open(key, sealed, `breach\0${id}`).toString('utf8')) as BreachDetails;

function breachOf(row: Selectable<BreachTable>, details: BreachDetails, now: Date): Breach {
  return {
    id: row.id,
    status: row.status === 'closed' ? 'closed' : 'open',
    risk: row.risk === 'high' ? 'high' : 'low',
    beganAt: row.began_at,
    discoveredAt: row.discovered_at,
    categories: JSON.parse(row.categories) as string[],
    subjectCount: row.subject_count,
    ...details,
    authorityNotifiedAt: row.authority_notified_at,
    authorityReference: row.authority_reference,
    subjectsNotifiedAt: row.subjects_notified_at,
    recordedBy: row.recorded_by,
    recordedAt: row.recorded_at,
    closedAt: row.closed_at,
    clocks: clocksOf(row, now),
  };
}

export interface RecordBreachOptions extends BreachDetails {
  beganAt: string;
  discoveredAt: string;
  risk: BreachRisk;
  categories: string[];
  /** The people affected: listed by id, and/or everyone holding records of a declared category. */
  subjects: { ids?: string[]; withCategory?: string };
  actor: string;
  now?: Date;
}

export async function recordBreach(ctx: VaultContext, options: RecordBreachOptions): Promise<Breach> {
  const now = options.now ?? new Date();
  const declared = new Set(ctx.declaration.categories.map((category) => category.id));
  const undeclared = [...options.categories, ...(options.subjects.withCategory ? [options.subjects.withCategory] : [])].filter((category) => !declared.has(category));
  if (undeclared.length > 0) throw new VowError('bad_request', `undeclared categories: ${undeclared.join(', ')}`, undeclared.map((category) => ({ path: 'categories', message: `"${category}" is not a declared category` })));
  if (Date.parse(options.discoveredAt) < Date.parse(options.beganAt)) throw new VowError('bad_request', 'a breach is discovered after it began', [{ path: 'discoveredAt', message: 'is before beganAt' }]);
  if (Date.parse(options.discoveredAt) > now.getTime()) throw new VowError('bad_request', 'a breach cannot be discovered in the future', [{ path: 'discoveredAt', message: 'is in the future' }]);
  const key = await breachesKey(ctx);
  const id = `brc_${randomBytes(16).toString('base64url')}`;
  const at = now.toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const subjects = await affectedSubjects(trx, options.subjects);
    const row: Selectable<BreachTable> = {
      id,
      status: 'open',
      risk: options.risk,
      began_at: new Date(options.beganAt).toISOString(),
      discovered_at: new Date(options.discoveredAt).toISOString(),
      categories: JSON.stringify(options.categories),
      subject_count: subjects.length,
      details: sealDetails(key, id, { title: options.title, description: options.description, consequences: options.consequences, measures: options.measures }),
      authority_notified_at: null,
      authority_reference: null,
      subjects_notified_at: null,
      recorded_by: options.actor,
      recorded_at: at,
      closed_at: null,
    };
    await trx.insertInto('breaches').values(row).execute();
    for (let start = 0; start < subjects.length; start += 500) {
      await trx
        .insertInto('breach_subjects')
        .values(subjects.slice(start, start + 500).map((subjectId) => ({ breach_id: id, subject_id: subjectId, added_at: at })))
        .execute();
    }
    await appendAudit(trx, { actor: options.actor, action: 'breach.recorded', target: `breach:${id}`, data: { risk: options.risk, categories: options.categories.join(','), subjects: subjects.length } }, now);
    return breachOf(row, openDetails(key, id, row.details), now);
  });
}

/** The subjects a breach affected: those listed that exist, and everyone with records of the category. */
async function affectedSubjects(db: Kysely<Database>, chosen: RecordBreachOptions['subjects']): Promise<string[]> {
  const found = new Set<string>();
  const ids = chosen.ids ?? [];
  for (let start = 0; start < ids.length; start += 500) {
    const rows = await db.selectFrom('subjects').select('id').where('id', 'in', ids.slice(start, start + 500)).execute();
    for (const row of rows) found.add(row.id);
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new VowError('bad_request', `no such subjects: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`, [{ path: 'subjects.ids', message: `${missing.length} unknown` }]);
  if (chosen.withCategory) {
    const rows = await db.selectFrom('vault_records').select('subject_id').distinct().where('category', '=', chosen.withCategory).execute();
    for (const row of rows) found.add(row.subject_id);
  }
  return [...found].sort();
}

export async function listBreaches(ctx: VaultContext, options: { now?: Date } = {}): Promise<Breach[]> {
  const now = options.now ?? new Date();
  const rows = await ctx.db.selectFrom('breaches').selectAll().orderBy('discovered_at', 'desc').orderBy('id').execute();
  if (rows.length === 0) return [];
  const key = await breachesKey(ctx);
  return rows.map((row) => breachOf(row, openDetails(key, row.id, row.details), now));
}

export async function showBreach(ctx: VaultContext, id: string, now: Date = new Date()): Promise<Breach> {
  const row = await ctx.db.selectFrom('breaches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new VowError('not_found', `no breach ${id}`);
  return breachOf(row, openDetails(await breachesKey(ctx), row.id, row.details), now);
}

/** The affected subjects' pseudonymous ids. */
export async function subjectsOfBreach(db: Kysely<Database>, id: string): Promise<string[]> {
  return (await db.selectFrom('breach_subjects').select('subject_id').where('breach_id', '=', id).orderBy('subject_id').execute()).map((row) => row.subject_id);
}

/** Marks a step of a breach done (the authority notified, the breach closed), once, in the audit chain. */
export async function markBreach(
  ctx: VaultContext,
  options: { id: string; step: 'authority-notified' | 'closed'; reference?: string; actor: string; now?: Date },
): Promise<Breach> {
  const now = options.now ?? new Date();
  const at = now.toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('breaches').selectAll().where('id', '=', options.id).executeTakeFirst();
    if (!row) throw new VowError('not_found', `no breach ${options.id}`);
    if (row.status === 'closed') throw new VowError('conflict', `breach ${options.id} is closed`);
    if (options.step === 'authority-notified') {
      if (row.authority_notified_at !== null) throw new VowError('conflict', `the authority was already notified of ${options.id}`);
      await trx.updateTable('breaches').set({ authority_notified_at: at, authority_reference: options.reference ?? null }).where('id', '=', options.id).execute();
    } else {
      await trx.updateTable('breaches').set({ status: 'closed', closed_at: at }).where('id', '=', options.id).execute();
    }
    await appendAudit(trx, { actor: options.actor, action: `breach.${options.step}`, target: `breach:${options.id}`, data: options.reference ? { reference: options.reference } : {} }, now);
  });
  return showBreach(ctx, options.id, now);
}
