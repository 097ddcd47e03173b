import { beforeAll, describe, expect, it } from 'vitest';
import { examplePolicy } from '../../test/support/fixtures.js';
import type { Declaration } from '../policy/declaration.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { checkDisclosure, type DisclosureRequest } from './check-disclosure.js';

let declaration: Declaration;
beforeAll(async () => {
  ({ declaration } = await loadDeclaration(examplePolicy));
});

describe('a disclosure is checked against the declaration', () => {
  const hosting = () => {
    const recipient = declaration.recipients.find((candidate) => candidate.service === 'hosting');
    const receipt = recipient?.receives[0];
    const category = receipt?.categories[0];
    const purpose = receipt?.purposes[0];
    if (!recipient || !category || !purpose) throw new Error('the example declares a hosting provider');
    return { recipient: recipient.id, categories: [category], purpose } satisfies DisclosureRequest;
  };

  it('allows what the policy declares', () => {
    expect(checkDisclosure(declaration, hosting())).toEqual({ allowed: true, country: 'US', sale: false });
  });

  it.each([
    ['an undeclared recipient', { recipient: 'data-broker' }, 'recipient-declared'],
    ['an undeclared purpose', { purpose: 'resale' }, 'purpose-declared'],
    ['an undeclared category', { categories: ['biometrics'] }, 'category-declared'],
    ['a category for a purpose it does not allow', { categories: ['social-analytics'], purpose: 'communicate' }, 'category-allows-purpose'],
    ['another country', { country: 'CN' }, 'recipient-country'],
  ] as const)('refuses %s, naming the rule', (_what, change, rule) => {
    const verdict = checkDisclosure(declaration, { ...hosting(), ...change });
    expect(verdict).toMatchObject({ allowed: false, rule });
  });

  it('refuses a category the recipient is not declared to receive', () => {
    const advertiser = declaration.recipients.find((candidate) => candidate.service === 'advertising-marketing');
    if (!advertiser) throw new Error('the example declares an advertising provider');
    const verdict = checkDisclosure(declaration, { recipient: advertiser.id, categories: ['account'], purpose: 'provide-services' });
    expect(verdict).toMatchObject({ allowed: false, rule: 'recipient-receives-category' });
  });

  it('refuses a destination without a declared transfer', () => {
    const recipient = declaration.recipients[0];
    if (!recipient) throw new Error('the example declares recipients');
    const moved: Declaration = { ...declaration, recipients: [{ ...recipient, countries: ['BR'] }] };
    const receipt = recipient.receives[0];
    const verdict = checkDisclosure(moved, { recipient: recipient.id, categories: receipt?.categories.slice(0, 1) ?? [], purpose: receipt?.purposes[0] ?? '' });
    expect(verdict).toMatchObject({ allowed: false, rule: 'transfer-declared' });
  });
});
