/**
 * §10 Changes to the privacy policy: every version stays readable, account holders are
 * told of a change by mail where the page says so, a revised policy applies to them as
 * the declaration's acceptance rule says, and accepting a policy never stands in for the
 * consent a consent-based purpose needs.
 */
import { expect } from 'vitest';
import { readOutbox } from '../../src/outbox/outbox.js';
import { needsConsent } from '../../src/policy/legal-basis.js';
import { publishPolicy } from '../../src/policy/publish-policy.js';
import { policyNoticeJob } from '../../src/policy-notices/policy-notice-job.js';
import { bannerVisitor, expectStatus, openAccount, tick, type Checks, type Conformance } from './check.js';

type ChangesPromise = 'versions-kept' | 'change-notice-email' | 'acceptance-continued-use' | 'acceptance-explicit' | 'consent-not-by-acceptance';

const ADDED_MEASURE = 'Yearly penetration tests by an outside firm';

interface PolicyJson {
  number: number;
  hash: string;
  publishedAt: string;
  material: boolean;
  declaration: Record<string, unknown>;
}

interface Acceptance {
  method: 'explicit' | 'continued-use';
  purposes: string[];
  notCovered: string[];
}
interface PolicyStatus {
  subjectId: string;
  currentVersion: number | null;
  acceptanceRule: 'explicit' | 'continued-use';
  versions: { version: number; material: boolean; notifiedAt: string | null; accepted: Acceptance | null }[];
}

const inForce = async (c: Conformance) => expectStatus(await c.server.inject({ method: 'GET', url: '/v1/policy' }), 200).json<PolicyJson>();

/**
 * Publishes a revision of the declaration in force (one more security measure) and has
 * the server enforce it at once rather than at its next look; a material one is then
 * announced by the job the server schedules for it.
 */
async function revise(c: Conformance, material: boolean): Promise<number> {
  const revised = { ...c.declaration, security: { ...c.declaration.security, measures: [...c.declaration.security.measures, ADDED_MEASURE] } };
  // Notices go to accounts opened before the publication, to the millisecond.
  await tick();
  const outcome = await publishPolicy(c.vow.store.db, { declaration: revised, material, actor: 'conformance' });
  expect(outcome.published).toBe(true);
  await c.vow.policy.refresh();
  expect((await inForce(c)).number).toBe(outcome.version.number);
  if (material) {
    await policyNoticeJob(c.vow.vault).run(new Date());
    await tick();
  }
  return outcome.version.number;
}

const statusOf = async (c: Conformance, subjectId: string) =>
  expectStatus(await c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/policy`, headers: await c.staff('support') }), 200).json<PolicyStatus>();
const entryOf = (status: PolicyStatus, version: number) => status.versions.find((entry) => entry.version === version);

const accept = async (c: Conformance, subjectId: string, version: number) =>
  expectStatus(await c.server.inject({ method: 'POST', url: `/v1/subjects/${subjectId}/policy/accept`, headers: await c.staff('support'), payload: { version } }), 200).json<{
    version: number;
    method: string;
    purposes: string[];
  }>();

/** An account holder whose browser is linked to the account, so that what the browser does is the holder's doing. */
async function holderWithBrowser(c: Conformance, email: string): Promise<{ subjectId: string; visitorId: string }> {
  const subjectId = await openAccount(c, email);
  const { visitorId } = await bannerVisitor(c.server, []);
  expectStatus(await c.server.inject({ method: 'POST', url: `/v1/accounts/${subjectId}/visitors`, headers: await c.staff('support'), payload: { visitorId } }), 200);
  return { subjectId, visitorId };
}

/** The holder goes on using the Service: their browser decides on the banner in force again. */
const keepUsing = async (c: Conformance, visitorId: string) => {
  await bannerVisitor(c.server, [], {}, visitorId);
};

const consentPurposes = (c: Conformance) => c.declaration.purposes.filter(needsConsent).map((purpose) => purpose.id);
const otherPurposes = (c: Conformance) => c.declaration.purposes.filter((purpose) => !needsConsent(purpose)).map((purpose) => purpose.id);

export const changesChecks: Checks<ChangesPromise> = {
  async 'versions-kept'(c) {
    const firstPage = expectStatus(await c.server.inject({ method: 'GET', url: '/privacy' }), 200).body;
    const first = await inForce(c);
    const second = await revise(c, false);
    expect(second).toBeGreaterThan(first.number);

    const versions = expectStatus(await c.server.inject({ method: 'GET', url: '/v1/policy/versions' }), 200).json<{ versions: { number: number; hash: string }[] }>().versions;
    expect(versions.map((version) => version.number)).toEqual([second, first.number]);
    expect(versions[1]?.hash).toBe(first.hash);
    const history = expectStatus(await c.server.inject({ method: 'GET', url: '/privacy/versions' }), 200).body;
    for (const number of [first.number, second]) expect(history).toContain(`href="/privacy?version=${number}"`);

    // The earlier version reads as it did, beside the current one that differs.
    expect(expectStatus(await c.server.inject({ method: 'GET', url: `/privacy?version=${first.number}` }), 200).body).toBe(firstPage);
    expect(firstPage).not.toContain(ADDED_MEASURE);
    expect(expectStatus(await c.server.inject({ method: 'GET', url: '/privacy' }), 200).body).toContain(ADDED_MEASURE);
    expect(expectStatus(await c.server.inject({ method: 'GET', url: `/v1/policy?version=${first.number}` }), 200).json()).toEqual(first);
    const diff = expectStatus(await c.server.inject({ method: 'GET', url: `/v1/policy/diff?from=${first.number}&to=${second}` }), 200).json<{ changes: { path: string }[] }>();
    expect(diff.changes.map((change) => change.path).join(' ')).toContain('security');
  },

  async 'change-notice-email'(c) {
    expect(c.declaration.changes.notify).toContain('email');
    const email = 'told.of.changes@example.com';
    const subjectId = await openAccount(c, email);
    expect((await readOutbox(c.vow.vault)).filter((message) => message.kind === 'policy-change')).toEqual([]);
    const version = await revise(c, true);

    const notices = (await readOutbox(c.vow.vault)).filter((message) => message.kind === 'policy-change');
    expect(notices.map((message) => ({ to: message.to, subjectId: message.subjectId }))).toEqual([{ to: email, subjectId }]);
    expect(notices[0]?.text).toContain(`/privacy?version=${version}`);
    expect(entryOf(await statusOf(c, subjectId), version)?.notifiedAt).not.toBeNull();
  },

  async 'acceptance-continued-use'(c) {
    expect(c.declaration.changes.acceptance).toBe('continued-use');
    const { subjectId, visitorId } = await holderWithBrowser(c, 'keeps.using@example.com');
    const version = await revise(c, true);
    const told = await statusOf(c, subjectId);
    expect(told).toMatchObject({ acceptanceRule: 'continued-use', currentVersion: version });
    expect(entryOf(told, version)).toMatchObject({ material: true, accepted: null });
    expect(entryOf(told, version)?.notifiedAt).not.toBeNull();

    // Using the Service after being told is accepting the revision, for every purpose but those resting on consent.
    await keepUsing(c, visitorId);
    expect(entryOf(await statusOf(c, subjectId), version)?.accepted).toMatchObject({ method: 'continued-use', purposes: otherPurposes(c), notCovered: consentPurposes(c) });
  },

  async 'acceptance-explicit'(c) {
    expect(c.declaration.changes.acceptance).toBe('explicit');
    const { subjectId, visitorId } = await holderWithBrowser(c, 'asked.first@example.com');
    const first = (await inForce(c)).number;
    expect(await accept(c, subjectId, first)).toMatchObject({ version: first, method: 'explicit' });
    const version = await revise(c, true);

    // Using the Service, by the browser or by a correction, is not accepting: the last version accepted stays the first.
    await keepUsing(c, visitorId);
    expectStatus(await c.server.inject({ method: 'PATCH', url: `/v1/accounts/${subjectId}`, headers: await c.staff('support'), payload: { name: 'Robin Revised' } }), 200);
    const waiting = await statusOf(c, subjectId);
    expect(waiting).toMatchObject({ acceptanceRule: 'explicit', currentVersion: version });
    expect(entryOf(waiting, version)?.notifiedAt).not.toBeNull();
    expect(entryOf(waiting, version)?.accepted).toBeNull();
    expect(waiting.versions.filter((entry) => entry.accepted !== null).map((entry) => entry.version)).toEqual([first]);

    expect(await accept(c, subjectId, version)).toMatchObject({ version, method: 'explicit' });
    const accepted = await statusOf(c, subjectId);
    expect(entryOf(accepted, version)?.accepted).toMatchObject({ method: 'explicit' });
    expect(entryOf(accepted, first)?.accepted).toMatchObject({ method: 'explicit' });
  },

  async 'consent-not-by-acceptance'(c) {
    const consentBased = consentPurposes(c);
    expect(consentBased.length).toBeGreaterThan(0);
    // A consent-based purpose the account information serves, if any: the read then has data to return once consented.
    const account = c.declaration.categories.find((category) => category.kind === 'account');
    const purpose = consentBased.find((id) => account?.purposes.includes(id)) ?? consentBased[0] ?? '';
    const admin = await c.staff('admin');
    const { subjectId, visitorId } = await holderWithBrowser(c, 'accepts.everything@example.com');
    const read = (id: string) => c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/data?purpose=${encodeURIComponent(id)}`, headers: admin });
    const expectRefused = async (id: string, after: string) => {
      const refused = await read(id);
      expect(refused.statusCode, `${after}: ${refused.body}`).toBe(403);
      expect(refused.body).toContain('rule: purpose-consent');
    };

    await expectRefused(purpose, 'before anything');
    const first = (await inForce(c)).number;
    const explicit = await accept(c, subjectId, first);
    for (const id of consentBased) expect(explicit.purposes).not.toContain(id);
    await expectRefused(purpose, 'after accepting the policy explicitly');

    const version = await revise(c, true);
    if (c.declaration.changes.acceptance === 'continued-use') {
      await keepUsing(c, visitorId);
      const byUse = entryOf(await statusOf(c, subjectId), version)?.accepted;
      expect(byUse?.method).toBe('continued-use');
      expect(byUse?.notCovered).toEqual(expect.arrayContaining(consentBased));
      await expectRefused(purpose, 'after accepting the revision by continued use');
    }
    const revised = await accept(c, subjectId, version);
    for (const id of consentBased) expect(revised.purposes).not.toContain(id);
    await expectRefused(purpose, 'after accepting the revision explicitly');

    // Only the person's own yes, to that purpose, opens it; the other consent-based purposes stay closed.
    const granted = await c.server.inject({ method: 'POST', url: `/v1/subjects/${subjectId}/purpose-consents`, headers: admin, payload: { granted: [purpose], channel: 'email' } });
    expect(expectStatus(granted, 201).json()).toMatchObject({ consented: [purpose] });
    const allowed = expectStatus(await read(purpose), 200).json<{ categories: { category: string }[] }>();
    if (account?.purposes.includes(purpose)) expect(allowed.categories.map((category) => category.category)).toContain(account.id);
    for (const id of consentBased.filter((other) => other !== purpose)) await expectRefused(id, `after consenting to ${purpose} alone`);
  },
};
