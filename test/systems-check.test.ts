import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.js';
import { loadConfig } from '../src/config.js';
import { connectSystem } from '../src/systems/connect-system.js';
import { describeEachExternalEngine, type ShopFixture } from './support/external-databases.js';
import { shopPolicy } from './support/fixtures.js';

const folder = mkdtempSync(join(tmpdir(), 'vow-systems-check-'));
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** The shop declaration (the example's, with the test shop's database declared), for this engine. */
function declarationFor(shop: ShopFixture, edit: (text: string) => string = (text) => text): string {
  const file = join(folder, `${shop.engine}-${Math.random().toString(36).slice(2)}.policy.yaml`);
  writeFileSync(file, edit(readFileSync(shopPolicy, 'utf8').replace('engine: postgres', `engine: ${shop.engine}`)));
  return file;
}

async function vow(env: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, loadConfig({ LOG_LEVEL: 'silent', ...env }), { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describeEachExternalEngine('vow systems check', (shop) => {
  it('finds every declared table and column of a correct declaration, and nothing undeclared that looks personal', async () => {
    const result = await vow({ SHOP_DATABASE_URL: shop().url }, 'systems', 'check', declarationFor(shop()));
    expect(result).toEqual({ code: 0, out: `OK shop (${shop().engine}): 6 tables and 8 declared columns found`, err: '' });
  });

  it('reports a declared column that is missing as an error at its line, and exits non-zero', async () => {
    const file = declarationFor(shop(), (text) => text.replace('{ column: full_name, category: account, field: name }', '{ column: display_name, category: account, field: name }'));
    const result = await vow({ SHOP_DATABASE_URL: shop().url }, 'systems', 'check', file, '--system', 'shop');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error: .*\.policy\.yaml:\d+:15: systems\[0\]\.tables\[0\]\.fields\[1\]\.column: column "users\.display_name" does not exist in system "shop"$/m);
    // full_name is still there, and now nothing declares it.
    expect(result.err).toContain('warning: ');
    expect(result.err).toContain('column "users.full_name" looks personal (name) but is not declared');
    expect(result.out).toBe(`DRIFT shop (${shop().engine}): 1 error, 1 warning`);
  });

  it('warns of an undeclared column and an undeclared table that look personal, and still exits zero', async () => {
    await shop().db.schema.alterTable('users').addColumn('mobile_phone', 'varchar(40)').execute();
    await shop().db.schema.createTable('referrals').addColumn('friend_email', 'varchar(255)').addColumn('user_id', 'integer', (column) => column.references('users.id')).execute();
    const result = await vow({ SHOP_DATABASE_URL: shop().url }, 'systems', 'check', declarationFor(shop()));
    expect(result.code).toBe(0);
    expect(result.err.split('\n')).toEqual([
      expect.stringMatching(/^warning: .*:\d+:9: systems\[0\]\.tables\[0\]: column "users\.mobile_phone" looks personal \(phone\) but is not declared/),
      expect.stringMatching(
        /^warning: .*: systems\[0\]\.tables: table "referrals" is not declared in system "shop", yet it has columns that look personal \(friend_email: email, user_id: user-id\) and a reference to declared table "users" \(user_id\)$/,
      ),
    ]);
    expect(result.out).toBe(`OK shop (${shop().engine}): 6 tables and 8 declared columns found; 0 errors, 2 warnings`);
  });

  it('reports a declared table that is missing', async () => {
    const file = declarationFor(shop(), (text) => text.replace('- name: newsletter_subscribers', '- name: mailing_list'));
    const result = await vow({ SHOP_DATABASE_URL: shop().url }, 'systems', 'check', file);
    expect(result.code).toBe(1);
    expect(result.err).toContain('systems[0].tables[5].name: table "mailing_list" does not exist in system "shop"');
    expect(result.err).toContain('table "newsletter_subscribers" is not declared in system "shop", yet it has columns that look personal (email: email, signup_ip: ip-address)');
  });

  it('says which variable is missing when the connection is not set, and which system is unknown', async () => {
    const file = declarationFor(shop());
    expect(await vow({}, 'systems', 'check', file)).toEqual({
      code: 1,
      out: `FAILED shop (${shop().engine}): 1 error, 0 warnings`,
      err: expect.stringMatching(/^error: .*\.policy\.yaml:\d+:5: systems\[0\]\.connection: system "shop" cannot be reached: the environment variable SHOP_DATABASE_URL \(its connection\) is not set$/) as unknown,
    });
    expect(await vow({ SHOP_DATABASE_URL: shop().url }, 'systems', 'check', file, '--system', 'crm')).toEqual({ code: 1, out: '', err: 'no system "crm" is declared (declared: shop)' });
  });

  it('says why a database cannot be reached, without printing its URL', async () => {
    const url = new URL(shop().url);
    url.password = 'wrong-secret-9f2';
    url.port = '1';
    const result = await vow({ SHOP_DATABASE_URL: url.toString() }, 'systems', 'check', declarationFor(shop()));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/system "shop" \(SHOP_DATABASE_URL\): cannot connect: .*ECONNREFUSED/);
    expect(result.err).not.toContain('wrong-secret-9f2');
  });

  it('connects read-only: the connection Vow opens refuses to write', async () => {
    const database = await connectSystem(shop().engine, shop().url);
    try {
      await expect(sql`update users set full_name = 'changed' where id = 1`.execute(database.db)).rejects.toThrow(/read[- ]only/i);
    } finally {
      await database.close();
    }
    const names = await shop().db.selectFrom('users').select('full_name').where('id', '=', 1).executeTakeFirstOrThrow();
    expect(names.full_name).not.toBe('changed');
  });
});

describe('vow systems check on SQLite and from the installed binary', () => {
  it('checks a SQLite file opened read-only, by file: URL or path', async () => {
    const file = join(folder, 'crm.sqlite');
    const db = new Sqlite(file);
    db.exec('create table contacts (id integer primary key, email text not null, phone text); create table calls (id integer primary key, contact_id integer references contacts(id), notes text)');
    db.close();
    const declaration = join(folder, 'sqlite.policy.yaml');
    writeFileSync(
      declaration,
      `${readFileSync(shopPolicy, 'utf8').slice(0, readFileSync(shopPolicy, 'utf8').indexOf('\nsystems:\n'))}
systems:
  - id: crm
    engine: sqlite
    connection: CRM_DATABASE_URL
    tables:
      - name: contacts
        identity: { column: email, type: email }
        fields: [{ column: email, category: account, field: email }]
        erase: delete
      - name: calls
        references: { column: contact_id, table: contacts, key: id }
        erase: delete
`,
    );
    const byUrl = await vow({ CRM_DATABASE_URL: `file://${file}` }, 'systems', 'check', declaration);
    expect(byUrl.code).toBe(0);
    expect(byUrl.err.split('\n')).toEqual([
      expect.stringContaining('column "contacts.phone" looks personal (phone) but is not declared'),
      expect.stringContaining('column "calls.notes" looks personal (free-text) but is not declared'),
    ]);
    expect(byUrl.out).toBe('OK crm (sqlite): 2 tables and 1 declared columns found; 0 errors, 2 warnings');
    expect((await vow({ CRM_DATABASE_URL: file }, 'systems', 'check', declaration)).code).toBe(0);
    expect(await vow({ CRM_DATABASE_URL: join(folder, 'none.sqlite') }, 'systems', 'check', declaration)).toMatchObject({
      code: 1,
      err: expect.stringContaining('system "crm" (CRM_DATABASE_URL): cannot open the SQLite database') as unknown,
    });
  });

  it('names the unset variable in one line, not a stack trace (npm run build first)', () => {
    const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'SHOP_DATABASE_URL'));
    const result = spawnSync(process.execPath, [bin, 'systems', 'check', shopPolicy], { encoding: 'utf8', env });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/vow\.policy\.yaml:\d+:5: systems\[0\]\.connection: system "shop" cannot be reached: the environment variable SHOP_DATABASE_URL \(its connection\) is not set/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
