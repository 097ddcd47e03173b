/**
 * A subject's rights in the company's own databases (issue 13): found from the identity
 * by following references as a graph, gathered for access, corrected where the declared
 * fields are, and erased as each table declares, referencing rows first, on PostgreSQL
 * and MariaDB.
 */
import { expect, it } from 'vitest';
import { isSqlSystem, type SqlSystem } from '../src/policy/declared-system.js';
import { loadDeclaration } from '../src/policy/load-declaration.js';
import { connectSystem, type SystemDatabase } from '../src/systems/connect-system.js';
import { correctSubjectRows, eraseSubjectRows, gatherSubjectRows } from '../src/systems/sql-system-rights.js';
import { describeEachExternalEngine, shopNotes, shopSubjects, shopTicketBodies, type ShopFixture } from './support/external-databases.js';
import { shopPolicy } from './support/fixtures.js';

const [ada, grace, alan] = shopSubjects;
const hashKey = Buffer.alloc(32, 7);

async function shopSystem(shop: ShopFixture): Promise<SqlSystem> {
  const { declaration } = await loadDeclaration(shopPolicy);
  const system = declaration.systems?.find((candidate) => candidate.id === 'shop');
  if (!system || !isSqlSystem(system)) throw new Error('the example declares no shop database');
  return { ...system, engine: shop.engine };
}

async function withSystem<T>(shop: ShopFixture, work: (connected: SystemDatabase, system: SqlSystem) => Promise<T>): Promise<T> {
  const connected = await connectSystem(shop.engine, shop.url, 'write');
  try {
    return await work(connected, await shopSystem(shop));
  } finally {
    await connected.close();
  }
}

describeEachExternalEngine("a subject's rows in the company's own database", (shop) => {
  it('are gathered from the identity, following references through every table, and no one else’s', async () => {
    const gathered = await withSystem(shop(), (connected, system) => gatherSubjectRows(connected.db, system, { email: ada.email }));
    const byTable = Object.fromEntries(gathered.map((part) => [part.table, part.rows]));
    expect(Object.keys(byTable).sort()).toEqual(['newsletter_subscribers', 'order_item_notes', 'order_items', 'orders', 'support_tickets', 'users']);
    expect(byTable.users).toEqual([{ 'account.email': ada.email, 'account.name': ada.fullName, 'account.birthDate': expect.anything() as unknown }]);
    expect(byTable.orders).toHaveLength(2);
    expect(byTable.order_items).toHaveLength(2);
    // Three references away from the identity: note → item → order → user.
    expect(byTable.order_item_notes).toEqual([{ 'communication.message': shopNotes[0] }]);
    expect(byTable.support_tickets).toEqual([{ 'communication.email': ada.email, 'communication.message': shopTicketBodies[0] }]);
    const text = JSON.stringify(gathered);
    for (const other of [grace, alan]) expect(text).not.toContain(other.email);
    expect(text).not.toContain(shopNotes[1]);
  });

  it('are erased as each table declares, referencing rows first, and an erasure run again finds nothing left', async () => {
    const erased = await withSystem(shop(), (connected, system) => eraseSubjectRows(connected.db, system, { email: ada.email }, hashKey));
    expect(erased).toEqual({
      order_item_notes: { deleted: 1, masked: 0 },
      order_items: { deleted: 2, masked: 0 },
      support_tickets: { deleted: 0, masked: 1 },
      orders: { deleted: 2, masked: 0 },
      users: { deleted: 1, masked: 0 },
      newsletter_subscribers: { deleted: 1, masked: 0 },
    });
    const { db } = shop();
    expect(await db.selectFrom('users').select('id').where('id', '=', ada.id).execute()).toEqual([]);
    expect(await db.selectFrom('orders').select('id').where('user_id', '=', ada.id).execute()).toEqual([]);
    expect(await db.selectFrom('order_items').select('id').where('id', 'in', [100, 101]).execute()).toEqual([]);
    expect(await db.selectFrom('order_item_notes').select('id').where('id', '=', 1000).execute()).toEqual([]);
    expect(await db.selectFrom('newsletter_subscribers').select('id').where('email', '=', ada.email).execute()).toEqual([]);
    // Kept for service statistics, with the person taken out.
    const ticket = await db.selectFrom('support_tickets').select(['email', 'body', 'user_id']).where('id', '=', 500).executeTakeFirstOrThrow();
    expect(ticket.email).toMatch(/^hmac:[0-9a-f]{32}$/);
    expect(ticket.body).toBe('[erased]');
    expect(ticket.user_id).toBeNull();

    // Everyone else is untouched.
    expect(await db.selectFrom('users').select('email').orderBy('id').execute()).toEqual([{ email: grace.email }, { email: alan.email }]);
    expect(await db.selectFrom('orders').select('id').where('user_id', '=', grace.id).execute()).toHaveLength(1);
    expect(await db.selectFrom('order_item_notes').select('note').execute()).toEqual([{ note: shopNotes[1] }]);
    expect(await db.selectFrom('support_tickets').select('body').where('id', 'in', [501, 502]).orderBy('id').execute()).toEqual([{ body: shopTicketBodies[1] }, { body: shopTicketBodies[2] }]);

    // A task resumed after a crash runs again: nothing is left to erase, and nothing fails.
    const again = await withSystem(shop(), (connected, system) => eraseSubjectRows(connected.db, system, { email: ada.email }, hashKey));
    expect(Object.values(again).every((counts) => counts.deleted === 0)).toBe(true);
  });

  it('are corrected where the declared fields are, the identity included, and still found through it', async () => {
    const newEmail = 'ada.corrected.p2d@analytical.example';
    const updated = await withSystem(shop(), (connected, system) =>
      correctSubjectRows(connected.db, system, { email: ada.email }, { 'account.name': 'Ada King', 'account.email': newEmail }),
    );
    expect(updated).toEqual({ users: 1, newsletter_subscribers: 1 });
    const user = await shop().db.selectFrom('users').select(['email', 'full_name']).where('id', '=', ada.id).executeTakeFirstOrThrow();
    expect(user).toEqual({ email: newEmail, full_name: 'Ada King' });
    const found = await withSystem(shop(), (connected, system) => gatherSubjectRows(connected.db, system, { email: newEmail }));
    expect(found.find((part) => part.table === 'orders')?.rows).toHaveLength(2);
    expect(await shop().db.selectFrom('users').select('full_name').where('id', '=', grace.id).executeTakeFirstOrThrow()).toEqual({ full_name: grace.fullName });
  });

  it('are none when the subject is known by no identity the database holds', async () => {
    const gathered = await withSystem(shop(), (connected, system) => gatherSubjectRows(connected.db, system, { phone: '+15555550100' }));
    expect(gathered).toEqual([]);
    const erased = await withSystem(shop(), (connected, system) => eraseSubjectRows(connected.db, system, { phone: '+15555550100' }, hashKey));
    expect(erased).toEqual({});
  });
});
