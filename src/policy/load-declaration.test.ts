import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { examplePolicy, fixture } from '../../test/support/fixtures.js';
import { loadDeclaration, parseDeclaration } from './load-declaration.js';

const problemsOf = (name: string) => {
  const result = parseDeclaration(readFileSync(fixture(name), 'utf8'));
  if (result.ok) throw new Error(`${name} was expected to be refused`);
  return result.problems;
};

describe('a declaration is refused, with every problem and its place in the file', () => {
  it('accepts the AIRobotics example and the minimal declaration', () => {
    expect(parseDeclaration(readFileSync(examplePolicy, 'utf8'))).toMatchObject({ ok: true });
    // The minimal declaration states an age limit it asks no birth date to enforce: accepted, with a warning saying so.
    expect(parseDeclaration(readFileSync(fixture('minimal.policy.yaml'), 'utf8'))).toMatchObject({
      ok: true,
      warnings: [{ path: 'minimumAge', message: expect.stringContaining('the age gate can refuse no one') as unknown }],
    });
  });

  it('refuses a technical field Vow does not store unless the declaration says where it is held, and the page says so', () => {
    const source = readFileSync(examplePolicy, 'utf8');
    const withConnection = source.replace(
      '      - { name: deviceType, description: type of computer or mobile device }\n',
      '      - { name: deviceType, description: type of computer or mobile device }\n      - { name: connection, description: computer connection }\n',
    );
    const refused = parseDeclaration(withConnection);
    expect(refused.ok).toBe(false);
    expect(refused.ok ? [] : refused.problems.map((problem) => problem.message)).toEqual([expect.stringContaining('Vow stores no "connection" for usage-data')]);

    const held = parseDeclaration(withConnection.replace('description: computer connection }', "description: computer connection, heldIn: our CDN's logs }"));
    expect(held).toMatchObject({ ok: true });
    if (!held.ok) return;
    const usage = held.declaration.categories.find((category) => category.id === 'usage-data');
    expect(usage?.fields.at(-1)).toEqual({ name: 'connection', description: 'computer connection', heldIn: "our CDN's logs" });
  });

  it('refuses undeclared purposes and categories, duplicate ids, and a recipient getting a category for a purpose it does not allow', () => {
    expect(problemsOf('broken-references.policy.yaml')).toEqual(
      expect.arrayContaining([
        { path: 'categories[0].purposes[1]', message: 'undeclared purpose "profiling"', line: 24, column: 34 },
        { path: 'categories[1].id', message: 'duplicate category "account"', line: 25, column: 5 },
        expect.objectContaining({ path: 'recipients[0].receives[0].categories[1]', message: 'undeclared category "usage"', line: 40, column: 31 }),
        expect.objectContaining({
          path: 'recipients[0].receives[0].categories[0]',
          message: expect.stringContaining('receives category "account" for purpose "marketing", which that category does not allow') as unknown,
          line: 40,
        }),
        expect.objectContaining({ path: 'choices[0].requires[0]', message: 'undeclared category "profile"', line: 52, column: 16 }),
      ]),
    );
  });

  it('refuses unknown keys, a bad e-mail, an unknown legal basis and a category without retention', () => {
    const problems = problemsOf('broken-schema.policy.yaml');
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'organization.contactEmail', message: 'must be an e-mail address', line: 4, column: 3 },
        { path: 'organization.website', message: 'unknown key "website"', line: 5, column: 3 },
        expect.objectContaining({ path: 'purposes[0].legalBasis', line: 12 }),
        expect.objectContaining({ path: 'categories[0].retention', message: expect.stringContaining('is required') as unknown, line: 14 }),
      ]),
    );
  });

  it('warns when continued use would stand in for consent after a material change', () => {
    const text = readFileSync(fixture('minimal.policy.yaml'), 'utf8')
      .replace('legalBasis: contract', 'legalBasis: consent')
      .replace('acceptance: explicit', 'acceptance: continued-use');
    const result = parseDeclaration(text);
    expect(result).toMatchObject({
      ok: true,
      warnings: expect.arrayContaining([{ path: 'changes.acceptance', line: 40, column: 3, message: expect.stringContaining('continued use is not consent under the GDPR') as unknown }]) as unknown,
    });
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    const problems = problemsOf('broken-yaml.policy.yaml');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ path: '', line: 3 });
  });

  it('refuses a file that is not a mapping at all', () => {
    const result = parseDeclaration('just a string');
    expect(result).toMatchObject({ ok: false, problems: [expect.objectContaining({ path: '' })] });
  });

  it('names the file and every problem when loading fails', async () => {
    await expect(loadDeclaration(fixture('broken-references.policy.yaml'))).rejects.toMatchObject({
      code: 'invalid_declaration',
      message: expect.stringMatching(/broken-references\.policy\.yaml:24:34: categories\[0\]\.purposes\[1\]: undeclared purpose "profiling"/) as unknown,
    });
    await expect(loadDeclaration(fixture('missing.policy.yaml'))).rejects.toMatchObject({ code: 'declaration_not_found' });
  });
});
