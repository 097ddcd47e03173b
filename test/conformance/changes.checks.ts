/**
 * §10 Changes to the privacy policy: every version stays readable, account holders are
 * told by mail where the page says so, a revised policy applies as the declaration's
 * acceptance rule says, and accepting a policy never stands in for consent.
 */
import { expect } from 'vitest';
import { readOutbox } from '../../src/outbox/outbox.js';
import { needsConsent } from '../../src/policy/legal-basis.js';
import { publishPolicy } from '../../src/policy/publish-policy.js';
import { sendPolicyNotices } from '../../src/policy-notices/send-policy-notices.js';
import { expectStatus, openAccount, type Checks, type Conformance } from './check.js';

type ChangesPromise = 'versions-kept' | 'change-notice-email' | 'acceptance-continued-use' | 'acceptance-explicit' | 'consent-not-by-acceptance';

/** Publishes a revised version (the security measures grow by one) and waits until the server enforces it. */
async function revise(c: Conformance, material: boolean): Promise<number> {
  const revised = { ...c.declaration, security: { measures: [...c.declaration.security.measures, 'Yearly penetration tests by an outside firm'] } };
  await new Promise((resolve) => setTimeout(resolve, 5));
  const outcome = await publishPolicy(c.vow.store.db, { declaration: revised, material, actor: 'conformance' });
  await c.vow.policy.refresh();
  return outcome.version.number;
}

interface PolicyStatus {
  acceptanceRule: string;
  versions: { version: number; accepted: { method: string } | null }[];
}
const statusOf = async (c: Conformance, subjectId: string) =>
  expectStatus(await c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/policy`, headers: await c.staff('support') }), 200).json<PolicyStatus>();

/** An act of the account holder's that counts as using the Service: a correction of their name. */
const useTheService = async (c: Conformance, subjectId: string) =>
  expectStatus(await c.server.inject({ method: 'PATCH', url: `/v1/accounts/${subjectId}`, headers: await c.staff('support'), payload: { name: 'Robin Revised' } }), 200);

export const changesChecks: Checks<ChangesPromise> = {
  async 'versions-kept'(c) {
    const first = expectStatus(await c.server.inject({ method: 'GET', url: '/privacy?version=1' }), 200).body;
    const second = await revise(c, false);
    const versions = expectStatus(await c.server.inject({ method: 'GET', url: '/v1/policy/versions' }), 200).json<{ versions: { number: number }[] }>();
    expect(versions.versions.map((version) => version.number)).toEqual([second, 1]);
    expect(expectStatus(await c.server.inject({ method: 'GET', url: '/privacy?version=1' }), 200).body).toBe(first);
    expect(first).not.toContain('Yearly penetration tests');
    expect(expectStatus(await c.server.inject({ method: 'GET', url: '/privacy' }), 200).body).toContain('Yearly penetration tests');
    const history = expectStatus(await c.server.inject({ method: 'GET', url: '/privacy/versions' }), 200).body;
    for (const number of [1, second]) expect(history).toContain(`version=${number}`);
  },

  async 'change-notice-email'(c) {
    const email = 'told.of.changes@example.com';
    const subjectId = await openAccount(c, email);
    const version = await revise(c, true);
    await sendPolicyNotices(c.vow.vault);
    const notice = (await readOutbox(c.vow.vault)).find((message) => message.kind === 'policy-change' && message.subjectId === subjectId);
    expect(notice?.to).toBe(email);
    expect(notice?.text).toContain(`Version ${version}`);
  },

  async 'acceptance-continued-use'(c) {
    const subjectId = await openAccount(c, 'keeps.using@example.com');
    const version = await revise(c, true);
    await sendPolicyNotices(c.vow.vault);
    expect((await statusOf(c, subjectId)).versions).toEqual([expect.objectContaining({ version, accepted: null })]);
    // Using the Service after being told is accepting the revised policy.
    await useTheService(c, subjectId);
    const status = await statusOf(c, subjectId);
    expect(status.acceptanceRule).toBe('continued-use');
    expect(status.versions).toEqual([expect.objectContaining({ version, accepted: expect.objectContaining({ method: 'continued-use' }) as unknown })]);
  },

  async 'acceptance-explicit'(c) {
    const subjectId = await openAccount(c, 'asked.first@example.com');
    const version = await revise(c, true);
    await sendPolicyNotices(c.vow.vault);
    // Using the Service is not accepting: the holder stays under the version last accepted until saying yes.
    await useTheService(c, subjectId);
    const before = await statusOf(c, subjectId);
    expect(before.acceptanceRule).toBe('explicit');
    expect(before.versions.filter((entry) => entry.accepted !== null)).toEqual([]);
    expectStatus(await c.server.inject({ method: 'POST', url: `/v1/subjects/${subjectId}/policy/accept`, headers: await c.staff('support'), payload: { version } }), 200);
    expect((await statusOf(c, subjectId)).versions).toEqual([expect.objectContaining({ version, accepted: expect.objectContaining({ method: 'explicit' }) as unknown })]);
  },

  async 'consent-not-by-acceptance'(c) {
    const account = c.declaration.categories.find((category) => category.kind === 'account');
    const purpose = c.declaration.purposes.find((candidate) => needsConsent(candidate) && account?.purposes.includes(candidate.id));
    if (!account || !purpose) throw new Error('no consent-based purpose of account information');
    const subjectId = await openAccount(c, 'accepts.all@example.com');
    const admin = await c.staff('admin');
    const version = await revise(c, true);
    await sendPolicyNotices(c.vow.vault);
    expectStatus(await c.server.inject({ method: 'POST', url: `/v1/subjects/${subjectId}/policy/accept`, headers: admin, payload: { version } }), 200);
    await useTheService(c, subjectId);
    const read = await c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/data?purpose=${purpose.id}`, headers: admin });
    expect(read.statusCode).toBe(403);
    expect(read.body).toContain('rule: purpose-consent');
    expectStatus(await c.server.inject({ method: 'POST', url: `/v1/subjects/${subjectId}/purpose-consents`, headers: admin, payload: { granted: [purpose.id], channel: 'email' } }), 201);
    expectStatus(await c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/data?purpose=${purpose.id}`, headers: admin }), 200);
  },
};
