// Requests in the company's own databases (issue 13), on PostgreSQL and MariaDB at once:
// a deletion and an access request for a subject with 10,000 rows spread over the two,
// from completion to every task done, against bare deletes and selects of the same rows
// in the same run; and discovery of a 50-table schema against a bare read of its catalogue.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createVow } from '../dist/app.js';
import { issueApiKey } from '../dist/auth/api-key.js';
import { examplePolicyFile, loadConfig } from '../dist/config.js';
import { parseDeclaration } from '../dist/policy/load-declaration.js';
import { connectSystem } from '../dist/systems/connect-system.js';
import { discoverSystem } from '../dist/systems/discover-system.js';

const PG_ADMIN = process.env.VOW_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MARIADB_ADMIN = process.env.VOW_TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
const ORDERS = 2_500; // a user, 2,500 orders and 2,500 items in each database: 10,000 rows of the subject in all
const EMAIL = 'bench.subject@example.com';

const engines = {
  postgres: {
    async create(name) {
      const admin = new pg.Client({ connectionString: PG_ADMIN });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = new URL(PG_ADMIN);
      url.pathname = `/${name}`;
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      return { url: url.toString(), query: (text) => client.query(text), close: () => client.end(), drop: async () => {
        const again = new pg.Client({ connectionString: PG_ADMIN });
        await again.connect();
        await again.query(`drop database if exists ${name} with (force)`);
        await again.end();
      } };
    },
  },
  mysql: {
    async create(name) {
      const admin = await mysql.createConnection({ uri: MARIADB_ADMIN });
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = `${MARIADB_ADMIN.replace(/\/$/, '')}/${name}`;
      const connection = await mysql.createConnection({ uri: url, multipleStatements: true });
      return { url, query: (text) => connection.query(text), close: () => connection.end(), drop: async () => {
        const again = await mysql.createConnection({ uri: MARIADB_ADMIN });
        await again.query(`drop database if exists ${name}`);
        await again.end();
      } };
    },
  },
};

async function shopSchema(db) {
  await db.query('create table users (id integer primary key, email varchar(255) not null unique, full_name varchar(255))');
  await db.query('create table orders (id integer primary key, user_id integer not null references users(id), total decimal(10,2) not null)');
  await db.query('create table order_items (id integer primary key, order_id integer not null references orders(id), sku varchar(32) not null)');
  await db.query('create index orders_user on orders (user_id)');
  await db.query('create index items_order on order_items (order_id)');
}

async function seed(db) {
  await db.query(`insert into users values (1, '${EMAIL}', 'Bench Subject'), (2, 'someone.else@example.com', 'Someone Else')`);
  for (let start = 0; start < ORDERS; start += 500) {
    const orders = [];
    const items = [];
    for (let i = start; i < Math.min(ORDERS, start + 500); i += 1) {
      orders.push(`(${i + 1}, 1, 9.99)`);
      items.push(`(${i + 1}, ${i + 1}, 'SKU-${i % 7}')`);
    }
    await db.query(`insert into orders values ${orders.join(', ')}`);
    await db.query(`insert into order_items values ${items.join(', ')}`);
  }
  // Another customer's rows, which must stay.
  await db.query(`insert into orders values (${ORDERS + 1}, 2, 1.00)`);
}

async function wipe(db) {
  await db.query('delete from order_items');
  await db.query('delete from orders');
  await db.query('delete from users');
}

const systemsYaml = (id, engine, variable) => `  - id: ${id}
    engine: ${engine}
    connection: ${variable}
    tables:
      - name: users
        identity: { column: email, type: email }
        fields:
          - { column: email, category: account, field: email }
          - { column: full_name, category: account, field: name }
        erase: delete
      - name: orders
        references: { column: user_id, table: users, key: id }
        erase: delete
      - name: order_items
        references: { column: order_id, table: orders, key: id }
        erase: delete
`;

async function timeRequest(vow, staff, kind) {
  const account = await vow.server.inject({ method: 'POST', url: '/v1/accounts', payload: { email: EMAIL, name: 'Bench Subject', birthDate: '1990-01-01' } });
  const subjectId = account.json().id;
  const filed = await vow.server.inject({ method: 'POST', url: '/v1/requests', headers: staff, payload: { kind, subjectId, verified: true, verification: 'bench' } });
  const id = filed.json().id;
  const started = performance.now();
  const completed = await vow.server.inject({ method: 'POST', url: `/v1/requests/${id}/complete`, headers: staff });
  if (completed.statusCode !== 200) throw new Error(`completion failed: ${completed.body}`);
  // Done when every system's task is: a deletion then still waits for staff to tell the
  // recipients without a webhook, which no benchmark times; an access is done once its export is built.
  for (;;) {
    const row = await vow.store.db.selectFrom('requests').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    const tasks = await vow.store.db.selectFrom('system_tasks').select('status').where('request_id', '=', id).execute();
    if (tasks.length > 0 && tasks.every((task) => task.status === 'done') && (kind !== 'access' || row.status === 'completed')) break;
    const failed = await vow.store.db.selectFrom('system_tasks').select('last_error').where('request_id', '=', id).where('status', '=', 'failed').executeTakeFirst();
    if (failed) throw new Error(`a task failed: ${failed.last_error}`);
    await sleep(5);
  }
  return performance.now() - started;
}

async function bare(dbs, statements) {
  const started = performance.now();
  for (const db of dbs) {
    await db.query('begin');
    for (const statement of statements) await db.query(statement);
    await db.query('commit');
  }
  return performance.now() - started;
}

async function fiftyTables(db) {
  for (let i = 0; i < 50; i += 1) {
    const reference = i === 0 ? '' : `, parent_id integer references t${i - 1}(id)`;
    await db.query(`create table t${i} (id integer primary key, email varchar(255), full_name varchar(255), phone varchar(32), note text, created_at timestamp${reference})`);
    const rows = Array.from({ length: 20 }, (_, row) => `(${row + 1}, 'p${row}.t${i}@example.com', 'Person ${row}', '+1555000${String(row).padStart(4, '0')}', 'free text about an order ${row}', '2026-01-01 00:00:00'${i === 0 ? '' : `, ${row + 1}`})`);
    await db.query(`insert into t${i} values ${rows.join(', ')}`);
  }
}

export async function systemsBench() {
  const suffix = randomBytes(6).toString('hex');
  const folder = mkdtempSync(join(tmpdir(), 'vow-bench-systems-'));
  const shops = { postgres: await engines.postgres.create(`vow_bench_shop_${suffix}`), mysql: await engines.mysql.create(`vow_bench_shop_${suffix}`) };
  const catalogue = await engines.postgres.create(`vow_bench_fifty_${suffix}`);
  try {
    for (const shop of Object.values(shops)) await shopSchema(shop);
    const policy = join(folder, 'vow.policy.yaml');
    writeFileSync(policy, `${readFileSync(examplePolicyFile, 'utf8')}\nsystems:\n${systemsYaml('shop', 'postgres', 'SHOP_DATABASE_URL')}${systemsYaml('shop-eu', 'mysql', 'SHOP_EU_DATABASE_URL')}`);
    const run = async (kind) => {
      for (const shop of Object.values(shops)) {
        await wipe(shop);
        await seed(shop);
      }
      const vow = await createVow(loadConfig({ VOW_DATA_DIR: mkdtempSync(join(folder, 'vow-')), VOW_POLICY: policy, LOG_LEVEL: 'silent', SHOP_DATABASE_URL: shops.postgres.url, SHOP_EU_DATABASE_URL: shops.mysql.url }));
      try {
        const staff = { authorization: `Bearer ${(await issueApiKey(vow.store.db, { role: 'privacy-officer', purposes: [], actor: 'bench' })).secret}` };
        return await timeRequest(vow, staff, kind);
      } finally {
        await vow.close();
      }
    };
    const subjectOrders = 'select id from orders where user_id = (select id from users where email = \'' + EMAIL + '\')';
    const reseed = async () => {
      for (const shop of Object.values(shops)) {
        await wipe(shop);
        await seed(shop);
      }
    };
    // Warm both paths once (connections, JIT), then measure each three times, alternating.
    await run('access');
    await reseed();
    await bare(Object.values(shops), [`select * from order_items where order_id in (${subjectOrders})`]);
    const deletion = [];
    const bareDelete = [];
    const access = [];
    const bareSelect = [];
    for (let round = 0; round < 3; round += 1) {
      deletion.push(await run('deletion'));
      await reseed();
      bareDelete.push(await bare(Object.values(shops), [`delete from order_items where order_id in (${subjectOrders})`, `delete from orders where user_id = 1`, `delete from users where id = 1`]));
      access.push(await run('access'));
      await reseed();
      bareSelect.push(await bare(Object.values(shops), ['select email, full_name from users where id = 1', 'select * from orders where user_id = 1', `select * from order_items where order_id in (${subjectOrders})`]));
    }

    await fiftyTables(catalogue);
    const { declaration } = parseDeclaration(readFileSync(examplePolicyFile, 'utf8'));
    const discovered = [];
    const bareCatalogue = [];
    for (let round = 0; round < 3; round += 1) {
      const database = await connectSystem('postgres', catalogue.url);
      let started = performance.now();
      const discovery = await discoverSystem({ database, declaration, sample: 100 });
      discovered.push(performance.now() - started);
      await database.close();
      if (discovery.tables.length !== 50) throw new Error(`discovery found ${discovery.tables.length} tables`);
      started = performance.now();
      await catalogue.query("select table_name, column_name, data_type from information_schema.columns where table_schema = 'public'");
      await catalogue.query("select conrelid::regclass, confrelid::regclass from pg_constraint where contype = 'f'");
      bareCatalogue.push(performance.now() - started);
    }

    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const ms = (value) => `${Math.round(value)} ms`;
    return {
      name: 'requests in the company’s databases: 10,000 rows of one subject over PostgreSQL and MariaDB',
      lines: [
        `deletion, completion to every task done: median ${ms(median(deletion))} (${deletion.map(ms).join(', ')}); bare deletes of the same rows: ${ms(median(bareDelete))}; target < 2 s: ${median(deletion) < 2000 ? 'met' : 'NOT met'}`,
        `access, completion to the export saved: median ${ms(median(access))} (${access.map(ms).join(', ')}); bare selects of the same rows: ${ms(median(bareSelect))}; target < 1 s: ${median(access) < 1000 ? 'met' : 'NOT met'}`,
        `discovery of a 50-table schema (100 values sampled a table): median ${ms(median(discovered))}; bare catalogue reads: ${ms(median(bareCatalogue))}; target < 5 s: ${median(discovered) < 5000 ? 'met' : 'NOT met'}`,
      ],
    };
  } finally {
    for (const db of [...Object.values(shops), catalogue]) {
      await db.close();
      await db.drop();
    }
    rmSync(folder, { recursive: true, force: true });
  }
}
