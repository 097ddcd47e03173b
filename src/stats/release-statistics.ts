/**
 * A release of aggregated statistics with differential privacy: refused up front when
 * the data set's budget cannot pay for it; the cells computed with each subject's
 * contribution bounded, cells with too few subjects suppressed, and discrete Laplace noise
 * added; then, in one short transaction, the epsilon charged (checked again against the
 * budget, so concurrent releases cannot overspend it) and the release stored and audited.
 * A stored release is what is published, ever after: it is never computed again with
 * fresh noise, which would let averaging strip the noise away.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/append-audit.js';
import type { Actor } from '../audit/audit-record.js';
import { canonicalJson } from '../canonical-json.js';
import { VowError } from '../errors.js';
import { subjectsConsentingToAll } from '../consent/purpose-consent.repository.js';
import type { Declaration } from '../policy/declaration.js';
import { purposeNeedsConsent } from '../policy/legal-basis.js';
import type { Database } from '../store/schema.js';
import { aggregateEvents, decodeCellKey, type CellKey } from './aggregate-events.js';
import { contributionSensitivity, suppressSmallCells, type ContributionBounds } from './bound-and-suppress.js';
import { parseRational } from './discrete-samplers.js';
import { addNoise, laplaceNoiseForCount } from './mechanisms.js';
import { chargeBudget, formatRational, remainingBudget } from './privacy-budget.js';
import { cryptoRandomSource, type RandomSource } from './random-source.js';
import { normalizeQuery, type Dataset, type ReleaseQuery } from './release-query.js';
import { ensureBudget, findBudget, insertRelease, updateSpent, type ReleaseRow } from './stats.repository.js';

/** A data set's budget when the declaration's `aggregation.privacyBudget` is absent. */
export const DEFAULT_PRIVACY_BUDGET = '1';

export interface ReleasedCell {
  key: CellKey;
  /** The noisy value, never below 0. */
  value: number;
}

export interface StatisticsRelease {
  id: string;
  dataset: Dataset;
  query: ReleaseQuery;
  epsilon: string;
  mechanism: { kind: 'discrete-laplace'; scale: string };
  createdAt: string;
  cells: ReleasedCell[];
  /** How many cells were held back for having fewer than `minSubjects` subjects (not which). */
  suppressed: number;
}

export interface BudgetState {
  dataset: Dataset;
  total: string;
  spent: string;
  remaining: string;
}

export interface ReleaseStatisticsOptions {
  /** A validated query (see `ReleaseQuerySchema`). */
  query: ReleaseQuery;
  /** The declaration in force: it must declare `aggregation`, whose `privacyBudget` sets each data set's budget. */
  declaration: Declaration;
  actor: Actor;
  now?: Date;
  /** Tests pass `seededRandomSource(...)`; releases use the default, `cryptoRandomSource()`. */
  rng?: RandomSource;
}

/** How often a budget charge is retried when another release charged the same data set at the same moment. */
const CHARGE_ATTEMPTS = 5;

/**
 * Computes, stores and returns one release, charged to the data set's privacy budget.
 * Refuses (`forbidden`) when the declaration declares no aggregation or the release would
 * pass the budget; a refused release stores and charges nothing.
 *
 * @example
 * await releaseStatistics(db, {
 *   query: parseReleaseQuery({ dimensions: ['country', 'week'], epsilon: '0.1' }),
 *   declaration,
 *   actor: 'cli',
 * }); // { id: 'rel_…', cells: [{ key: { country: 'FR', week: '2026-W47' }, value: 130 }, …], budget: { total: '1', spent: '0.1' } }
 */
export async function releaseStatistics(
  db: Kysely<Database>,
  options: ReleaseStatisticsOptions,
): Promise<StatisticsRelease & { budget: { total: string; spent: string } }> {
  const { declaration, actor } = options;
  if (!declaration.aggregation) {
    throw new VowError('forbidden', 'the declaration declares no aggregated information (aggregation), so no statistics may be released');
  }
  const budgetTotal = formatRational(parseRational(declaration.aggregation.privacyBudget ?? DEFAULT_PRIVACY_BUDGET));
  const query = normalizeQuery(options.query);
  const epsilon = parseRational(query.epsilon);
  const rng = options.rng ?? cryptoRandomSource();
  const createdAt = (options.now ?? new Date()).toISOString();

  // Refused early, before any work, when the budget as it stands cannot pay; the charge
  // itself is made (and checked again) in the short transaction that stores the release.
  refuseIfOverBudget(query.dataset, (await findBudget(db, query.dataset)) ?? { total: budgetTotal, spent: '0' }, query.epsilon);

  const bounds: ContributionBounds = {
    maxCellsPerSubject: query.maxCellsPerSubject,
    maxValue: query.measure === 'subjects' ? 1n : BigInt(query.maxValuePerCell),
  };
  // Statistics serve the declared aggregation purposes: where one rests on consent, only
  // the events of people who consented to it are counted.
  const consentPurposes = declaration.aggregation.purposes.filter((id) => purposeNeedsConsent(declaration, id));
  const subjects = consentPurposes.length === 0 ? undefined : await subjectsConsentingToAll(db, consentPurposes);
  // Computed outside the transaction: one statement, so one consistent snapshot on either
  // dialect, and on SQLite the one connection is held for that statement only.
  const exact = await aggregateEvents(db, query, bounds, subjects);
  const { cells: kept, suppressedCount } = suppressSmallCells(exact, { minSubjects: query.minSubjects });
  const mechanism = laplaceNoiseForCount(epsilon, contributionSensitivity(bounds).l1);
  const cells: ReleasedCell[] = kept.map((cell) => {
    const noisy = addNoise(cell.sum, mechanism, rng);
    // Clamping is post-processing of the noisy value, so it costs no privacy.
    return { key: decodeCellKey(query.dimensions, cell.key), value: Number(noisy < 0n ? 0n : noisy) };
  });
  const release: StatisticsRelease = {
    id: `rel_${randomBytes(16).toString('base64url')}`,
    dataset: query.dataset,
    query,
    epsilon: query.epsilon,
    mechanism: { kind: 'discrete-laplace', scale: formatRational(mechanism.scale) },
    createdAt,
    cells,
    suppressed: suppressedCount,
  };

  return db.transaction().execute(async (trx) => {
    const budget = await chargeDataset(trx, query.dataset, budgetTotal, query.epsilon);
    await insertRelease(trx, toRow(release, actor));
    await appendAudit(
      trx,
      {
        actor,
        action: 'stats.released',
        target: `dataset:${release.dataset}`,
        data: { release: release.id, epsilon: release.epsilon, cells: cells.length, suppressed: suppressedCount, spent: budget.spent },
      },
      new Date(createdAt),
    );
    return { ...release, budget };
  });
}

/** Charges `epsilon` to the data set, creating its ledger on first use; refuses when it would pass the total. */
async function chargeDataset(trx: Kysely<Database>, dataset: Dataset, total: string, epsilon: string): Promise<{ total: string; spent: string }> {
  await ensureBudget(trx, dataset, total);
  for (let attempt = 1; attempt <= CHARGE_ATTEMPTS; attempt += 1) {
    const ledger = await findBudget(trx, dataset);
    if (!ledger) throw new Error(`the budget of ${dataset} vanished`);
    const spent = refuseIfOverBudget(dataset, ledger, epsilon);
    if (await updateSpent(trx, dataset, ledger.spent, spent)) return { total: ledger.total, spent };
  }
  throw new VowError('conflict', `other releases of ${dataset} are charging its budget at the same time; try again`);
}

/** The ledger's spent amount after charging `epsilon`; refuses when that would pass the total. */
function refuseIfOverBudget(dataset: Dataset, ledger: { total: string; spent: string }, epsilon: string): string {
  const charge = chargeBudget({ total: parseRational(ledger.total), spent: parseRational(ledger.spent) }, parseRational(epsilon));
  if (!charge.ok) {
    throw new VowError(
      'forbidden',
      `release would pass the privacy budget of ${dataset}: remaining ${formatRational(charge.remaining)} of ${ledger.total}, asked ${epsilon}`,
    );
  }
  return formatRational(charge.spent);
}

function toRow(release: StatisticsRelease, actor: Actor): ReleaseRow {
  return {
    id: release.id,
    dataset: release.dataset,
    query: canonicalJson(release.query),
    epsilon: release.epsilon,
    mechanism: canonicalJson(release.mechanism),
    createdAt: release.createdAt,
    cells: JSON.stringify(release.cells),
    suppressed: release.suppressed,
    actor,
  };
}

/** A stored release as published: exactly what was released, read back, never recomputed. */
export function releaseFromRow(row: ReleaseRow): StatisticsRelease {
  return {
    id: row.id,
    dataset: row.dataset as Dataset,
    query: JSON.parse(row.query) as ReleaseQuery,
    epsilon: row.epsilon,
    mechanism: JSON.parse(row.mechanism) as StatisticsRelease['mechanism'],
    createdAt: row.createdAt,
    cells: JSON.parse(row.cells) as ReleasedCell[],
    suppressed: row.suppressed,
  };
}

/** A data set's budget: as stored once a release created its ledger, otherwise as the declaration sets it. */
export function budgetState(dataset: Dataset, stored: { total: string; spent: string } | undefined, declaration: Declaration): BudgetState {
  const total = stored?.total ?? formatRational(parseRational(declaration.aggregation?.privacyBudget ?? DEFAULT_PRIVACY_BUDGET));
  const spent = stored?.spent ?? '0';
  const remaining = formatRational(remainingBudget({ total: parseRational(total), spent: parseRational(spent) }));
  return { dataset, total, spent, remaining };
}
