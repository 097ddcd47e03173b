/**
 * §2 How we use personal information: each kind of information only for its purposes,
 * consent-based purposes only with consent (and what serves nothing else collected only
 * then), and aggregated statistics released, published or not, as the page says.
 */
import { expect } from 'vitest';
import { consentOnlyCategories, needsConsent } from '../../src/policy/legal-basis.js';
import { bannerVisitor, consentToEveryPurpose, expectStatus, openAccount, sendEvent, type Checks, type Conformance } from './check.js';

type UsePromise =
  | 'purpose-limited-use'
  | 'consent-based-purposes'
  | 'consent-only-collection'
  | 'aggregated-statistics'
  | 'statistics-not-published'
  | 'statistics-with-consent';

const accountCategory = (c: Conformance) => {
  const account = c.declaration.categories.find((category) => category.kind === 'account');
  if (!account) throw new Error('the declaration declares no account category');
  return account;
};
const consentPurposeIds = (c: Conformance) => c.declaration.purposes.filter(needsConsent).map((purpose) => purpose.id);

const read = async (c: Conformance, subjectId: string, purpose: string, headers: Record<string, string>) =>
  c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/data?purpose=${encodeURIComponent(purpose)}`, headers });

const formOf = async (c: Conformance) =>
  expectStatus(await c.server.inject({ method: 'GET', url: '/v1/consent/purposes' }), 200).json<{ policyVersion: number; textHash: string }>();

/** A visitor's decision on consent-based purposes through the public preference form. */
const decidePurposes = async (c: Conformance, visitorId: string, decision: { granted?: string[]; withdrawn?: string[] }) => {
  const form = await formOf(c);
  const payload = { visitorId, ...decision, policyVersion: form.policyVersion, textHash: form.textHash };
  expectStatus(await c.server.inject({ method: 'POST', url: '/v1/consent/purposes', payload }), 201);
};

/** Releases a count of subjects per category; whether the one cell survives suppression says how many subjects were counted. */
const release = async (c: Conformance, minSubjects: number, epsilon: string) =>
  expectStatus(
    await c.server.inject({
      method: 'POST',
      url: '/v1/stats',
      headers: await c.staff('privacy-officer'),
      payload: { dimensions: ['category'], measure: 'subjects', epsilon, minSubjects, maxCellsPerSubject: 1 },
    }),
    201,
  ).json<{ id: string; cells: { key: { category: string } }[]; suppressed: number }>();

/** Technical categories any known visitor who accepted every cookie sends, consent-based purposes aside. */
const countable = (c: Conformance) => {
  const consentOnly = consentOnlyCategories(c.declaration);
  const category = c.declaration.categories.find((candidate) => candidate.technical !== undefined && !consentOnly.has(candidate.id) && candidate.technical !== 'cookies');
  if (!category) throw new Error('no technical category to count');
  return category.id;
};

export const useChecks: Checks<UsePromise> = {
  async 'purpose-limited-use'(c) {
    const admin = await c.staff('admin');
    const subjectId = await openAccount(c, 'purposes@example.com');
    const account = accountCategory(c);
    const allowed = account.purposes.find((purpose) => !consentPurposeIds(c).includes(purpose));
    if (!allowed) throw new Error('no purpose of the account category rests on something other than consent');
    expectStatus(await read(c, subjectId, allowed, admin), 200);
    // A declared purpose the account category does not serve finds nothing of it; an undeclared one is refused.
    const other = c.declaration.purposes.find((purpose) => !account.purposes.includes(purpose.id));
    if (other) {
      const response = await read(c, subjectId, other.id, admin);
      const found = response.statusCode === 200 ? response.json<{ categories: { category: string }[] }>().categories.map((entry) => entry.category) : [];
      expect(found).not.toContain(account.id);
    }
    const undeclared = expectStatus(await read(c, subjectId, 'profiling-for-sale', admin), 403);
    expect(undeclared.body).toContain('not a purpose the policy declares');
    // A key issued for one purpose reads for that purpose only.
    const scoped = await c.staff('support', [allowed]);
    const otherAllowed = account.purposes.find((purpose) => purpose !== allowed && !consentPurposeIds(c).includes(purpose));
    expectStatus(await read(c, subjectId, allowed, scoped), 200);
    if (otherAllowed) expectStatus(await read(c, subjectId, otherAllowed, scoped), 403);
  },

  async 'consent-based-purposes'(c) {
    const admin = await c.staff('admin');
    const account = accountCategory(c);
    const purpose = consentPurposeIds(c).find((id) => account.purposes.includes(id));
    if (!purpose) throw new Error('no consent-based purpose of the account category');
    const subjectId = await openAccount(c, 'consent.purposes@example.com');
    const refused = expectStatus(await read(c, subjectId, purpose, admin), 403);
    expect(refused.body).toContain('rule: purpose-consent');
    const record = (decision: Record<string, unknown>) =>
      c.server.inject({ method: 'POST', url: `/v1/subjects/${subjectId}/purpose-consents`, headers: admin, payload: { ...decision, channel: 'email' } });
    expectStatus(await record({ granted: [purpose] }), 201);
    expectStatus(await read(c, subjectId, purpose, admin), 200);
    // Withdrawn as easily, and at once.
    expectStatus(await record({ withdrawn: [purpose] }), 201);
    expectStatus(await read(c, subjectId, purpose, admin), 403);
  },

  async 'consent-only-collection'(c) {
    const [[category, purposes] = ['', []]] = [...consentOnlyCategories(c.declaration)].filter(([id]) => c.declaration.categories.some((candidate) => candidate.id === id && candidate.technical));
    expect(category).not.toBe('');
    const visitor = await bannerVisitor(c.server, 'all');
    expect(await sendEvent(c, visitor.visitorId, category)).toMatchObject({ accepted: 0, dropped: { 'no-purpose-consent': 1 } });
    await decidePurposes(c, visitor.visitorId, { granted: [...purposes] });
    expect(await sendEvent(c, visitor.visitorId, category)).toMatchObject({ accepted: 1 });
    await decidePurposes(c, visitor.visitorId, { withdrawn: [...purposes] });
    expect(await sendEvent(c, visitor.visitorId, category)).toMatchObject({ accepted: 0, dropped: { 'no-purpose-consent': 1 } });
  },

  async 'aggregated-statistics'(c) {
    const category = countable(c);
    for (let index = 0; index < 3; index += 1) {
      const visitor = await bannerVisitor(c.server, 'all');
      // Counted whatever the aggregation's purposes rest on.
      await consentToEveryPurpose(c, visitor.visitorId);
      expect(await sendEvent(c, visitor.visitorId, category)).toMatchObject({ accepted: 1 });
    }
    // Aggregated, so that no one stands out: a cell with fewer people than asked for is held back, whatever the noise.
    const released = await release(c, 1000, '0.1');
    expect(released.cells).toEqual([]);
    expect(released.suppressed).toBeGreaterThan(0);
    // Published as released, to anyone.
    const published = expectStatus(await c.server.inject({ method: 'GET', url: '/v1/stats/published' }), 200).json<{ releases: { id: string }[] }>();
    expect(published.releases.map((entry) => entry.id)).toContain(released.id);
  },

  async 'statistics-not-published'(c) {
    const released = await release(c, 1, '0.1');
    // Never published: the releases are for staff only.
    expect((await c.server.inject({ method: 'GET', url: '/v1/stats/published' })).statusCode).toBe(401);
    expect((await c.server.inject({ method: 'GET', url: `/v1/stats/published/${released.id}` })).statusCode).toBe(401);
    const staff = expectStatus(await c.server.inject({ method: 'GET', url: '/v1/stats/published', headers: await c.staff('privacy-officer') }), 200);
    expect(staff.json<{ releases: { id: string }[] }>().releases.map((entry) => entry.id)).toEqual([released.id]);
  },

  async 'statistics-with-consent'(c) {
    const purposes = (c.declaration.aggregation?.purposes ?? []).filter((id) => consentPurposeIds(c).includes(id));
    expect(purposes.length).toBeGreaterThan(0);
    const category = countable(c);
    const visitors = [];
    for (let index = 0; index < 3; index += 1) {
      const visitor = await bannerVisitor(c.server, 'all');
      expect(await sendEvent(c, visitor.visitorId, category)).toMatchObject({ accepted: 1 });
      visitors.push(visitor.visitorId);
    }
    const [first = '', second = ''] = visitors;
    await decidePurposes(c, first, { granted: purposes });
    // Three people sent events, one consented: a cell needing two people is held back, since only the one is counted.
    expect((await release(c, 2, '0.25')).cells).toEqual([]);
    await decidePurposes(c, second, { granted: purposes });
    expect((await release(c, 2, '0.25')).cells.map((cell) => cell.key.category)).toEqual([category]);
  },
};
