/**
 * §3 Sharing and disclosure, §6 Links: data reaches only declared recipients, for what
 * they are declared to receive; legal requests name their ground; and the banner tells
 * the SDK to warn before a visitor leaves for another site.
 */
import { expect } from 'vitest';
import { needsConsent } from '../../src/policy/legal-basis.js';
import { expectStatus, openAccount, type Checks, type Conformance } from './check.js';

type SharingPromise = 'no-sharing' | 'declared-recipients-only' | 'legal-grounds' | 'link-notice';

const disclose = async (c: Conformance, payload: Record<string, unknown>) =>
  c.server.inject({ method: 'POST', url: '/v1/disclosures', headers: await c.staff('privacy-officer'), payload });

const accountId = (c: Conformance) => c.declaration.categories.find((category) => category.kind === 'account')?.id ?? 'account';
const legalDetails = { authority: 'District Court of Exampleton', process: 'court order', reference: 'CV-2026-0042', scope: 'account data of one subject', receivedOn: '2026-11-20' };

export const sharingChecks: Checks<SharingPromise> = {
  async 'no-sharing'(c) {
    const subjectId = await openAccount(c, 'no.sharing@example.com');
    const purpose = c.declaration.purposes[0]?.id ?? 'provide-services';
    for (const recipient of ['hosting', 'advertising', 'authorities', 'anyone']) {
      const refused = expectStatus(await disclose(c, { recipient, categories: [accountId(c)], purpose, subjects: { ids: [subjectId] } }), 403);
      expect(refused.body).toContain('rule: recipient-declared');
    }
    const disclosed = expectStatus(await c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/disclosures`, headers: await c.staff('auditor') }), 200);
    expect(disclosed.json<{ disclosures: unknown[] }>().disclosures).toEqual([]);
  },

  async 'declared-recipients-only'(c) {
    const subjectId = await openAccount(c, 'recipients@example.com');
    const account = accountId(c);
    const consentBased = new Set(c.declaration.purposes.filter(needsConsent).map((purpose) => purpose.id));
    const provider = c.declaration.recipients.find((recipient) => recipient.kind === 'service-provider' && recipient.receives.some((receipt) => receipt.categories.includes(account)));
    const receipt = provider?.receives.find((candidate) => candidate.categories.includes(account) && candidate.purposes.some((purpose) => !consentBased.has(purpose)));
    const purpose = receipt?.purposes.find((candidate) => !consentBased.has(candidate));
    if (!provider || !purpose) throw new Error('no service provider receives account data for a purpose not based on consent');

    const undeclared = expectStatus(await disclose(c, { recipient: 'data-broker', categories: [account], purpose, subjects: { ids: [subjectId] } }), 403);
    expect(undeclared.body).toContain('rule: recipient-declared');
    // A declared recipient gets only the categories it is declared to receive.
    const notReceived = c.declaration.categories.find((category) => category.purposes.includes(purpose) && !provider.receives.some((entry) => entry.categories.includes(category.id) && entry.purposes.includes(purpose)));
    if (notReceived) {
      const refused = expectStatus(await disclose(c, { recipient: provider.id, categories: [notReceived.id], purpose, subjects: { ids: [subjectId] } }), 403);
      expect(refused.body).toContain('rule: recipient-receives-category');
    }
    expectStatus(await disclose(c, { recipient: provider.id, categories: [account], purpose, subjects: { ids: [subjectId] } }), 201);
    // The person can see who received what.
    const seen = expectStatus(await c.server.inject({ method: 'GET', url: `/v1/subjects/${subjectId}/disclosures`, headers: await c.staff('auditor') }), 200);
    expect(seen.json<{ disclosures: { recipient: string }[] }>().disclosures.map((entry) => entry.recipient)).toEqual([provider.id]);
  },

  async 'legal-grounds'(c) {
    const authority = c.declaration.recipients.find((recipient) => recipient.kind === 'legal-authority');
    const receipt = authority?.receives[0];
    if (!authority || !receipt) throw new Error('no legal authority is declared');
    const subjectId = await openAccount(c, 'legal.request@example.com');
    const request = { recipient: authority.id, categories: [receipt.categories[0]], purpose: receipt.purposes[0], subjects: { ids: [subjectId] }, kind: 'legal-request', details: legalDetails };
    const groundless = expectStatus(await disclose(c, request), 400);
    expect(groundless.json<{ error: { problems: { path: string }[] } }>().error.problems.map((problem) => problem.path)).toEqual(['legalGround']);
    expectStatus(await disclose(c, { ...request, legalGround: 'legal-obligation' }), 201);
  },

  async 'link-notice'(c) {
    const banner = expectStatus(await c.server.inject({ method: 'GET', url: '/v1/consent/banner' }), 200).json<{ links: { notice: boolean } }>();
    // The SDK reads this and warns before every link to another site (test/browser.test.ts shows it in Chromium).
    expect(banner.links.notice).toBe(true);
  },
};
