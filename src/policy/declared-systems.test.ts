import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, shopPolicy } from '../../test/support/fixtures.js';
import { runCli } from '../cli/run-cli.js';
import { loadConfig } from '../config.js';
import { parseDeclaration } from './load-declaration.js';
import { renderPolicy } from './render-policy.js';

const problemsOf = (name: string) => {
  const result = parseDeclaration(readFileSync(fixture(name), 'utf8'));
  if (result.ok) throw new Error(`${name} was expected to be refused`);
  return result.problems;
};

describe('the declaration names the systems holding personal data, and how requests reach them', () => {
  it('reads the example shop database: identities, references, fields and what erasure does', () => {
    const result = parseDeclaration(readFileSync(shopPolicy, 'utf8'));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const [shop] = result.declaration.systems ?? [];
    expect(shop).toMatchObject({ id: 'shop', engine: 'postgres', connection: 'SHOP_DATABASE_URL' });
    if (shop?.engine !== 'postgres') return;
    expect(shop.tables.map((table) => table.name)).toEqual(['users', 'orders', 'order_items', 'order_item_notes', 'support_tickets', 'newsletter_subscribers']);
    expect(shop.tables[0]).toMatchObject({ identity: { column: 'email', type: 'email' }, erase: 'delete' });
    expect(shop.tables[3]).toMatchObject({ references: { column: 'order_item_id', table: 'order_items', key: 'id' } });
    expect(shop.tables[4]?.erase).toEqual({ mask: [{ column: 'email', with: 'hash' }, { column: 'body', with: { value: '[erased]' } }] });
  });

  it('refuses a connection string in place of a variable name, an unknown mask, a table with neither identity nor references, an unknown engine', () => {
    expect(problemsOf('broken-systems-schema.policy.yaml')).toEqual([
      {
        path: 'systems[0].connection',
        message: expect.stringContaining('must name the environment variable that holds the URL (such as SHOP_DATABASE_URL), not the URL') as unknown,
        line: 44,
        column: 5,
      },
      { path: 'systems[0].tables[0].erase.mask[0].with', message: 'must be null, hash, or { value: ... }', line: 48, column: 42 },
      { path: 'systems[0].tables[1].name', message: expect.stringContaining('either an identity') as unknown, line: 49, column: 9 },
      { path: 'systems[1].engine', message: 'engine must be one of postgres, mysql, sqlite, http, manual', line: 52, column: 5 },
    ]);
  });

  it('refuses undeclared categories and fields, references to no table or in a cycle, an external id Vow could not read, and duplicate systems, each at its line', () => {
    expect(problemsOf('broken-systems.policy.yaml')).toEqual([
      { path: 'systems[0].tables[0].fields[1].field', message: 'category "account" declares no field "phone"', line: 50, column: 49 },
      { path: 'systems[0].tables[0].fields[2].category', message: 'undeclared category "profile"', line: 51, column: 28 },
      {
        path: 'systems[0].tables[4].identity.column',
        message: 'an external-id identity needs its column "member_no" among the table\'s fields, naming the declared field that holds the value',
        line: 63,
        column: 21,
      },
      { path: 'systems[0].tables[1].references.table', message: 'table "orders" references "customers", which is not a table of this system', line: 54, column: 40 },
      { path: 'systems[0].tables[2].references.table', message: expect.stringContaining('in a cycle (parcels → boxes → parcels)') as unknown, line: 57, column: 39 },
      { path: 'systems[0].tables[3].references.table', message: expect.stringContaining('in a cycle (boxes → parcels → boxes)') as unknown, line: 60, column: 42 },
      { path: 'systems[1].id', message: 'duplicate system "shop"', line: 65, column: 5 },
    ]);
  });

  it('is refused by vow policy check with file:line:column and a non-zero exit', async () => {
    const err: string[] = [];
    const code = await runCli(['policy', 'check', fixture('broken-systems.policy.yaml')], loadConfig({ LOG_LEVEL: 'silent' }), {
      out: () => undefined,
      err: (text) => err.push(text),
    });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('broken-systems.policy.yaml:50:49: systems[0].tables[0].fields[1].field: category "account" declares no field "phone"');
  });

  it('accepts http and manual systems with their calls and held fields', () => {
    const text = `${readFileSync(fixture('minimal.policy.yaml'), 'utf8')}systems:
  - id: crm
    engine: http
    connection: CRM_API_URL
    fields: [{ category: account, field: email }]
    access: { method: GET, url: '/v3/contacts?email={email}', auth: { env: CRM_TOKEN }, answer: data.contacts }
    erasure: { method: POST, url: /v3/gdpr/forget, body: { email: '{email}' } }
  - id: archive
    engine: manual
    description: Signed paper contracts, in the office safe
    fields: [{ category: account, field: name }]
`;
    const result = parseDeclaration(text);
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.declaration.systems?.[0]).toMatchObject({ access: { auth: { env: 'CRM_TOKEN', header: 'Authorization', scheme: 'bearer' } } });

    const unknownPlaceholder = parseDeclaration(text.replace('email={email}', 'email={address}'));
    expect(unknownPlaceholder).toMatchObject({ ok: false, problems: [{ path: 'systems[0].access.url', message: expect.stringContaining('placeholders must be one of {email}') as unknown }] });
  });

  it('leaves the policy page as it was: systems are where data lives, not a promise of their own', () => {
    const withSystems = readFileSync(shopPolicy, 'utf8');
    const withoutSystems = withSystems.slice(0, withSystems.indexOf('\n# §4, §5 Reach'));
    const page = (text: string) => {
      const result = parseDeclaration(text);
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      return renderPolicy(result.declaration, undefined, 'html');
    };
    expect(withoutSystems).not.toContain('systems:');
    expect(page(withSystems)).toBe(page(withoutSystems));
  });
});
