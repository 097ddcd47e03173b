/**
 * The company's own databases, as Vow meets them: a fresh PostgreSQL database and a fresh
 * MariaDB database per test, holding a small shop (users, orders, order items and their
 * notes, support tickets, newsletter subscribers, products) with foreign keys and seeded
 * subjects. One schema built through Kysely serves both engines. With VOW_REQUIRE_POSTGRES=1
 * or VOW_REQUIRE_MARIADB=1 (as `.ci/run` sets) an unreachable server fails the run instead
 * of skipping its half.
 */
import { randomUUID } from 'node:crypto';
import { Kysely, MysqlDialect, PostgresDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import { afterEach, beforeEach, describe } from 'vitest';

export type ExternalEngine = 'postgres' | 'mysql';

const adminUrls: Record<ExternalEngine, string> = {
  postgres: process.env.VOW_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.VOW_TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306',
};
const required: Record<ExternalEngine, boolean> = {
  postgres: process.env.VOW_REQUIRE_POSTGRES === '1',
  mysql: process.env.VOW_REQUIRE_MARIADB === '1',
};
const serverNames: Record<ExternalEngine, string> = { postgres: 'PostgreSQL', mysql: 'MariaDB' };

export interface ShopDatabase {
  users: { id: number; email: string; full_name: string | null; birth_date: string | null; created_at: string };
  orders: { id: number; user_id: number; placed_at: string; total: string };
  products: { sku: string; title: string; price: string };
  order_items: { id: number; order_id: number; product_sku: string; quantity: number };
  order_item_notes: { id: number; order_item_id: number; note: string };
  support_tickets: { id: number; user_id: number | null; email: string; subject: string; body: string; opened_at: string };
  newsletter_subscribers: { id: number; email: string; signup_ip: string | null; subscribed_at: string };
}

function connect(engine: ExternalEngine, url: string): Kysely<ShopDatabase> {
  const dialect =
    engine === 'postgres'
      ? new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 3000 }) })
      : new MysqlDialect({ pool: createPool({ uri: url, connectionLimit: 1, connectTimeout: 3000 }) });
  return new Kysely<ShopDatabase>({ dialect });
}

async function reachable(engine: ExternalEngine): Promise<boolean> {
  const db = connect(engine, adminUrls[engine]);
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  } finally {
    await db.destroy();
  }
}

export const externalEngines: Record<ExternalEngine, boolean> = { postgres: await reachable('postgres'), mysql: await reachable('mysql') };
for (const engine of ['postgres', 'mysql'] as const) {
  if (externalEngines[engine]) continue;
  const message = `${serverNames[engine]} is not reachable at ${adminUrls[engine]}`;
  if (required[engine]) throw new Error(`${message}, and VOW_REQUIRE_${engine === 'postgres' ? 'POSTGRES' : 'MARIADB'}=1 requires it`);
  console.warn(`${message}: SKIPPING the ${serverNames[engine]} half of this suite`);
}

/** The people seeded in every shop, with values distinctive enough to be found in any output. */
export const shopSubjects = [
  { id: 1, email: 'ada.lovelace.q7z@analytical.example', fullName: 'Ada Quillfeather', birthDate: '1815-12-10', ip: '203.0.113.77' },
  { id: 2, email: 'grace.hopper.k3x@cobol.example', fullName: 'Grace Brightwater', birthDate: '1906-12-09', ip: '198.51.100.23' },
  { id: 3, email: 'alan.turing.m9v@bletchley.example', fullName: 'Alan Thornbury', birthDate: '1912-06-23', ip: '192.0.2.144' },
] as const;

export const shopTicketBodies = [
  'My robot arm keeps dropping the teacup at exactly half past four, please send someone zx81',
  'The invoice for order seventeen lists a gearbox I never ordered, kindly correct it qv42',
  'Could you delete the voice recordings my vacuum made of the kitchen last Tuesday wq03',
];
export const shopNotes = ['Gift wrap in blue, a birthday surprise for Moira zq19', 'Leave it with the neighbour at number nine jx77'];

export interface ShopFixture {
  engine: ExternalEngine;
  /** The URL of this test's own database. */
  url: string;
  /** A handle with full rights, to shape and seed the shop (Vow's own connections are read-only). */
  db: Kysely<ShopDatabase>;
}

async function createShopSchema(db: Kysely<ShopDatabase>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('email', 'varchar(255)', (column) => column.notNull().unique())
    .addColumn('full_name', 'varchar(255)')
    .addColumn('birth_date', 'date')
    .addColumn('created_at', 'timestamp', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('products')
    .addColumn('sku', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('title', 'varchar(255)', (column) => column.notNull())
    .addColumn('price', 'decimal(10, 2)', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('orders')
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('user_id', 'integer', (column) => column.notNull().references('users.id'))
    .addColumn('placed_at', 'timestamp', (column) => column.notNull())
    .addColumn('total', 'decimal(10, 2)', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('order_items')
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('order_id', 'integer', (column) => column.notNull().references('orders.id'))
    .addColumn('product_sku', 'varchar(64)', (column) => column.notNull().references('products.sku'))
    .addColumn('quantity', 'integer', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('order_item_notes')
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('order_item_id', 'integer', (column) => column.notNull().references('order_items.id'))
    .addColumn('note', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('support_tickets')
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('user_id', 'integer', (column) => column.references('users.id'))
    .addColumn('email', 'varchar(255)', (column) => column.notNull())
    .addColumn('subject', 'varchar(200)', (column) => column.notNull())
    .addColumn('body', 'text', (column) => column.notNull())
    .addColumn('opened_at', 'timestamp', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable('newsletter_subscribers')
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('email', 'varchar(255)', (column) => column.notNull().unique())
    .addColumn('signup_ip', 'varchar(45)')
    .addColumn('subscribed_at', 'timestamp', (column) => column.notNull())
    .execute();
}

async function seedShop(db: Kysely<ShopDatabase>): Promise<void> {
  const at = '2026-03-01 10:00:00';
  await db
    .insertInto('users')
    .values(shopSubjects.map((subject) => ({ id: subject.id, email: subject.email, full_name: subject.fullName, birth_date: subject.birthDate, created_at: at })))
    .execute();
  await db
    .insertInto('products')
    .values([
      { sku: 'ARM-2', title: 'Robot arm', price: '499.00' },
      { sku: 'VAC-1', title: 'Vacuum robot', price: '249.00' },
    ])
    .execute();
  await db
    .insertInto('orders')
    .values([
      { id: 10, user_id: 1, placed_at: at, total: '499.00' },
      { id: 11, user_id: 1, placed_at: at, total: '249.00' },
      { id: 12, user_id: 2, placed_at: at, total: '748.00' },
    ])
    .execute();
  await db
    .insertInto('order_items')
    .values([
      { id: 100, order_id: 10, product_sku: 'ARM-2', quantity: 1 },
      { id: 101, order_id: 11, product_sku: 'VAC-1', quantity: 1 },
      { id: 102, order_id: 12, product_sku: 'ARM-2', quantity: 1 },
      { id: 103, order_id: 12, product_sku: 'VAC-1', quantity: 1 },
    ])
    .execute();
  await db
    .insertInto('order_item_notes')
    .values(shopNotes.map((note, index) => ({ id: 1000 + index, order_item_id: 100 + index * 2, note })))
    .execute();
  await db
    .insertInto('support_tickets')
    .values(
      shopTicketBodies.map((body, index) => ({
        id: 500 + index,
        user_id: index < 2 ? index + 1 : null,
        email: shopSubjects[index]?.email ?? 'guest@example.org',
        subject: `Help with order ${index + 1}`,
        body,
        opened_at: at,
      })),
    )
    .execute();
  await db
    .insertInto('newsletter_subscribers')
    .values(shopSubjects.map((subject) => ({ id: subject.id, email: subject.email, signup_ip: subject.ip, subscribed_at: at })))
    .execute();
}

/** A seeded shop of its own on `engine`, for a test that needs one on each engine at once. */
export async function createShop(engine: ExternalEngine): Promise<{ fixture: ShopFixture; drop(): Promise<void> }> {
  const name = `vow_shop_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const admin = connect(engine, adminUrls[engine]);
  // A database name cannot be a bound parameter; this one is made here, of hex digits only.
  await sql`create database ${sql.id(name)}`.execute(admin);
  const url = new URL(adminUrls[engine]);
  url.pathname = `/${name}`;
  const db = connect(engine, url.toString());
  await createShopSchema(db);
  await seedShop(db);
  return {
    fixture: { engine, url: url.toString(), db },
    async drop() {
      await db.destroy();
      // Not WITH (FORCE): PostgreSQL waits for the connections just closed to go, where forcing would fail them mid-close.
      await sql`drop database if exists ${sql.id(name)}`.execute(admin);
      await admin.destroy();
    },
  };
}

/** Declares `body` once per engine; `shop()` gives the current test's own seeded database. */
export function describeEachExternalEngine(title: string, body: (shop: () => ShopFixture) => void): void {
  for (const engine of ['postgres', 'mysql'] as const) {
    const declare = externalEngines[engine] ? describe : describe.skip;
    declare(`${title} [${engine === 'postgres' ? 'postgres' : 'mariadb'}]`, () => {
      let current: Awaited<ReturnType<typeof createShop>> | undefined;
      beforeEach(async () => {
        current = await createShop(engine);
      });
      afterEach(async () => {
        await current?.drop();
        current = undefined;
      });
      body(() => {
        if (!current) throw new Error('no shop database outside a test');
        return current.fixture;
      });
    });
  }
}
