/**
 * §8 International users, §9 Your choices: the transfers the page lists are recorded for
 * each person collected from where they start, or none when it lists none; and the
 * features the page says need some information are unavailable to whoever withheld it.
 */
import { expect } from 'vitest';
import type { Declaration } from '../../src/policy/declaration.js';
import { bannerVisitor, expectStatus, plausibleFields, type Checks, type Conformance } from './check.js';

type WorldPromise = 'transfers-recorded' | 'no-transfers' | 'feature-choices';

interface Route {
  from: string;
  to: string;
  safeguard: string;
}
interface Recorded extends Route {
  basis: string;
}

/** Countries to open accounts from, in case the declaration names some of them. */
const COUNTRIES = ['FR', 'DE', 'JP', 'BR', 'IT', 'CA', 'AU', 'IN', 'MX', 'ZA'];

/** A country the declaration's transfers neither start from by name nor lead to. */
function elsewhere(declaration: Declaration): string {
  const named = new Set(declaration.transfers.flatMap((transfer) => [transfer.from, transfer.to]));
  const country = COUNTRIES.find((candidate) => !named.has(candidate));
  if (country === undefined) throw new Error('every test country is named by a transfer');
  return country;
}

/**
 * What section 8 says happens to data collected in `region`: each destination a transfer
 * from there (or from anywhere) leads to, other than the region itself, under the
 * safeguard of the transfer naming the region if there is one. Unknown, the person could
 * be anywhere: the transfers from anywhere are recorded as such.
 */
function listedRoutes(declaration: Declaration, region: string | undefined): Route[] {
  if (region === undefined) return declaration.transfers.filter((transfer) => transfer.from === '*').map(({ to, safeguard }) => ({ from: '*', to, safeguard }));
  const routes = new Map<string, Route>();
  for (const transfer of declaration.transfers) {
    if (transfer.to === region || (transfer.from !== '*' && transfer.from !== region)) continue;
    if (transfer.from === region || !routes.has(transfer.to)) routes.set(transfer.to, { from: region, to: transfer.to, safeguard: transfer.safeguard });
  }
  return [...routes.values()];
}

const byRoute = (a: Route, b: Route) => `${a.from}>${a.to}`.localeCompare(`${b.from}>${b.to}`);

/** An account opened from `region` (as the sign-up says), or from nowhere known. */
async function accountFrom(c: Conformance, email: string, region: string | undefined): Promise<string> {
  if (c.declaration.categories.some((category) => category.kind === 'account' && category.fields.some((field) => field.name === 'region'))) {
    throw new Error('the account category declares a field named region: a sign-up cannot say where it comes from');
  }
  const payload = { ...plausibleFields(c.declaration, 'account', email), ...(region === undefined ? {} : { region }) };
  return expectStatus(await c.server.inject({ method: 'POST', url: '/v1/accounts', payload }), 201).json<{ id: string }>().id;
}

const transfersOf = async (c: Conformance, subjectId: string) =>
  expectStatus(await c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/transfers`, headers: await c.staff('auditor') }), 200).json<{
    subjectId: string;
    region: string | null;
    transfers: Recorded[];
  }>();

interface Choices {
  available: { feature: string; name: string }[];
  unavailable: { feature: string; name: string; missing: string[] }[];
}
const choicesOf = async (c: Conformance, subjectId: string) =>
  expectStatus(await c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/choices`, headers: await c.staff('auditor') }), 200).json<Choices & { subjectId: string }>();

/** The choices as §9 lists them, for someone who holds only `held`: each feature open, or closed for what it lacks. */
function expectedChoices(declaration: Declaration, held: ReadonlySet<string>): Choices {
  const expected: Choices = { available: [], unavailable: [] };
  for (const choice of declaration.choices) {
    const missing = choice.requires.filter((category) => !held.has(category));
    if (missing.length === 0) expected.available.push({ feature: choice.feature, name: choice.name });
    else expected.unavailable.push({ feature: choice.feature, name: choice.name, missing });
  }
  return expected;
}

export const worldChecks: Checks<WorldPromise> = {
  async 'transfers-recorded'(c) {
    const { transfers } = c.declaration;
    expect(transfers.length).toBeGreaterThan(0);
    // Someone from a country no transfer names, someone from nowhere known, someone from each named origin, someone where the data goes.
    const origins = [...new Set(transfers.map((transfer) => transfer.from).filter((from) => from !== '*'))];
    const destinations = [...new Set(transfers.map((transfer) => transfer.to))];
    const regions = [...new Set([elsewhere(c.declaration), ...origins, ...destinations])];
    const cases: (string | undefined)[] = [...regions, undefined];
    let recordedAny = false;
    for (const [index, region] of cases.entries()) {
      const subjectId = await accountFrom(c, `transfer.${index}@example.com`, region);
      const recorded = await transfersOf(c, subjectId);
      expect(recorded.region).toBe(region ?? null);
      expect(recorded.transfers.every((transfer) => transfer.basis === 'collection')).toBe(true);
      const routes = recorded.transfers.map(({ from, to, safeguard }) => ({ from, to, safeguard })).sort(byRoute);
      expect(routes, `collected in ${region ?? 'an unknown country'}`).toEqual(listedRoutes(c.declaration, region).sort(byRoute));
      recordedAny ||= routes.length > 0;
    }
    // The page lists transfers: someone, somewhere, must be recorded as taking one.
    expect(recordedAny).toBe(true);
  },

  async 'no-transfers'(c) {
    expect(c.declaration.transfers).toEqual([]);
    const from = await transfersOf(c, await accountFrom(c, 'stays.home@example.com', elsewhere(c.declaration)));
    expect(from).toMatchObject({ region: elsewhere(c.declaration), transfers: [] });
    expect((await transfersOf(c, await accountFrom(c, 'from.anywhere@example.com', undefined))).transfers).toEqual([]);
    // A visitor who only decided on cookies is collected too, and stays where it is.
    const { subjectId } = await bannerVisitor(c.server, []);
    expect((await transfersOf(c, subjectId)).transfers).toEqual([]);
  },

  async 'feature-choices'(c) {
    expect(c.declaration.choices.length).toBeGreaterThan(0);
    const account = c.declaration.categories.find((category) => category.kind === 'account');
    if (!account) throw new Error('the declaration declares no account category');

    // An account holder holds account information and nothing else.
    const email = 'chooser@example.com';
    const holder = await accountFrom(c, email, undefined);
    const choices = await choicesOf(c, holder);
    expect(choices).toEqual({ subjectId: holder, ...expectedChoices(c.declaration, new Set([account.id])) });

    // Someone who never signed up cannot use what needs account information.
    const { subjectId: visitor } = await bannerVisitor(c.server, []);
    const anonymous = await choicesOf(c, visitor);
    for (const choice of c.declaration.choices.filter((candidate) => candidate.requires.includes(account.id))) {
      expect(anonymous.unavailable, choice.feature).toContainEqual(expect.objectContaining({ feature: choice.feature, missing: expect.arrayContaining([account.id]) as unknown }));
    }
    const unavailable = new Set([...choices.unavailable, ...anonymous.unavailable].map((choice) => choice.feature));
    expect(unavailable.size, 'no one without some information lacks a feature').toBeGreaterThan(0);

    // Giving what was missing opens the feature: a message, once staff know the holder wrote it.
    const communication = c.declaration.categories.find((category) => category.kind === 'communication');
    if (communication && c.declaration.choices.some((choice) => choice.requires.includes(communication.id))) {
      const sent = await c.server.inject({ method: 'POST', url: '/v1/communications', payload: plausibleFields(c.declaration, 'communication', email) });
      expectStatus(sent, 202);
      const joined = await c.server.inject({ method: 'POST', url: `/v1/accounts/${holder}/contacts`, headers: await c.staff('support'), payload: { email } });
      expect(expectStatus(joined, 200).json()).toMatchObject({ linked: true });
      expect(await choicesOf(c, holder)).toEqual({ subjectId: holder, ...expectedChoices(c.declaration, new Set([account.id, communication.id])) });
    }
  },
};
