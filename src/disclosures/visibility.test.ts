import { describe, expect, it } from 'vitest';
import { examplePolicy } from '../../test/support/fixtures.js';
import { checkDeclaration } from '../policy/check-declaration.js';
import { Declaration, type Declaration as DeclarationType } from '../policy/declaration.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { checkVisibility, defaultVisibility, requireOtherUsersRecipient, visibleFieldChoices } from './visibility.js';

const example = async () => (await loadDeclaration(examplePolicy)).declaration;
const withOtherUsersDefault = (declaration: DeclarationType, visibleToOtherUsers: string[]): DeclarationType => ({
  ...declaration,
  recipients: declaration.recipients.map((recipient) => (recipient.kind === 'other-users' ? { ...recipient, visibleToOtherUsers } : recipient)),
});

describe('visibility to other users in the declaration', () => {
  it('offers the fields of the categories other users receive, defaulting to those the declaration names', async () => {
    const declaration = await example();
    const recipient = requireOtherUsersRecipient(declaration);
    expect(visibleFieldChoices(declaration, recipient)).toEqual(['account.email', 'account.name', 'account.birthDate']);
    expect(defaultVisibility(recipient)).toEqual(['account.name']);
    expect(checkVisibility(declaration, recipient, ['account.name', 'account.email'])).toEqual(['account.email', 'account.name']);
    expect(() => checkVisibility(declaration, recipient, ['account.name', 'account.name'])).toThrow('listed twice');
  });

  it('refuses defaults naming a field that is not declared, or a category other users do not receive', async () => {
    const declaration = await example();
    expect(checkDeclaration(declaration).errors).toEqual([]);
    const findings = checkDeclaration(withOtherUsersDefault(declaration, ['account.nope', 'unknown.name', 'communication.message'])).errors;
    expect(findings.map((finding) => finding.message)).toEqual([
      'category "account" declares no field "nope"',
      'undeclared category "unknown"',
      'recipient "other-users" does not receive category "communication"',
    ]);
    expect(findings[0]?.path).toEqual(['recipients', declaration.recipients.findIndex((r) => r.kind === 'other-users'), 'visibleToOtherUsers', 0]);
  });

  it('takes visibleToOtherUsers only on the other-users recipient, as category.field', async () => {
    const declaration = await example();
    const hosting = declaration.recipients.find((recipient) => recipient.service === 'hosting');
    const parsed = Declaration.safeParse({ ...declaration, recipients: [{ ...hosting, visibleToOtherUsers: ['account.name'] }] });
    expect(parsed.error?.issues.map((issue) => issue.message)).toContain('only a recipient of kind other-users takes visibleToOtherUsers');
    const users = requireOtherUsersRecipient(declaration);
    const badName = Declaration.safeParse({ ...declaration, recipients: [{ ...users, visibleToOtherUsers: ['name'] }] });
    expect(badName.error?.issues.map((issue) => issue.message)).toContain('must name a field as category.field, such as account.name');
  });
});
