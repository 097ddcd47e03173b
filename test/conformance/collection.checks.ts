/**
 * §1 Personal information we collect: only declared fields, kept no longer than stated,
 * technical information on its declared basis, cookies only with consent, and the
 * opt-out signals treated as the page says.
 */
import { expect } from 'vitest';
import { runRetention } from '../../src/retention/run-retention.js';
import { cutoff } from '../../src/retention/retention-cutoff.js';
import {
  bannerVisitor,
  consentGatedCategories,
  consentToEveryPurpose,
  exportedEventCategories,
  expectStatus,
  plausibleFields,
  sendEvent,
  type Checks,
  type Conformance,
} from './check.js';

const DAY_MS = 86_400_000;

type CollectionPromise =
  | 'declared-fields-only'
  | 'retention-period'
  | 'technical-on-declared-basis'
  | 'cookies-with-consent'
  | 'opt-out-cookies'
  | 'dnt-honored'
  | 'dnt-ignored'
  | 'gpc-honored'
  | 'gpc-ignored';

const onInterests = (c: Conformance) => c.declaration.categories.filter((category) => category.technical !== undefined && category.collection === 'legitimate-interests');
/** Cookie categories amounting to sale, sharing or targeted advertising: what an opt-out refuses. */
const saleOrSharing = (c: Conformance) => c.declaration.cookies.filter((group) => !group.necessary && group.treatedAs.length > 0).map((group) => group.id);
const optionalCookies = (c: Conformance) => c.declaration.cookies.filter((group) => !group.necessary).map((group) => group.id);

export const collectionChecks: Checks<CollectionPromise> = {
  async 'declared-fields-only'(c) {
    for (const [kind, url] of [
      ['account', '/v1/accounts'],
      ['communication', '/v1/communications'],
    ] as const) {
      if (!c.declaration.categories.some((category) => category.kind === kind)) continue;
      const fields = { ...plausibleFields(c.declaration, kind, `fields.${kind}@example.com`), favouriteColour: 'teal-4711' };
      const refused = expectStatus(await c.server.inject({ method: 'POST', url, payload: fields }), 400);
      expect(refused.body).toContain('favouriteColour');
      expect(refused.body).not.toContain('teal-4711');
    }
    // Refused before anything about the person is written.
    expect(await c.vow.store.db.selectFrom('vault_records').select('id').execute()).toEqual([]);
  },

  async 'retention-period'(c) {
    // A category kept from its collection and collected from anyone known: its clock starts with the event.
    const category = onInterests(c).find((candidate) => candidate.retention.from === 'collection');
    if (!category) throw new Error('no technical category collected on legitimate interests is kept from collection');
    const { visitorId, subjectId } = await bannerVisitor(c.server, []);
    expect(await sendEvent(c, visitorId, category.id)).toMatchObject({ accepted: 1 });
    const now = Date.now();
    const periodMs = now - cutoff(new Date(now), category.retention.period).getTime();
    const purgeAt = (ms: number) => runRetention(c.vow.store.db, { declaration: c.declaration, now: new Date(now + ms), actor: 'conformance' });

    await purgeAt(periodMs - 2 * DAY_MS);
    expect(await exportedEventCategories(c, subjectId)).toContain(category.id);
    await purgeAt(periodMs + 2 * DAY_MS);
    expect(await exportedEventCategories(c, subjectId)).not.toContain(category.id);
  },

  async 'technical-on-declared-basis'(c) {
    // Someone who refused every optional cookie still sends what rests on legitimate interests, and nothing that needs consent.
    const { visitorId } = await bannerVisitor(c.server, []);
    const interests = onInterests(c);
    expect(interests.length + consentGatedCategories(c.declaration).length).toBeGreaterThan(0);
    for (const category of interests) expect(await sendEvent(c, visitorId, category.id), category.id).toMatchObject({ accepted: 1 });
    for (const category of consentGatedCategories(c.declaration)) {
      expect(await sendEvent(c, visitorId, category), category).toMatchObject({ accepted: 0, dropped: { 'no-consent': 1 } });
    }
  },

  async 'cookies-with-consent'(c) {
    const banner = expectStatus(await c.server.inject({ method: 'GET', url: '/v1/consent/banner' }), 200).json<{ categories: { id: string; necessary: boolean }[] }>();
    expect(banner.categories.filter((category) => !category.necessary).map((category) => category.id)).toEqual(optionalCookies(c));
    const gated = consentGatedCategories(c.declaration);
    expect(gated.length).toBeGreaterThan(0);

    const refuser = await bannerVisitor(c.server, []);
    for (const category of gated) expect(await sendEvent(c, refuser.visitorId, category), category).toMatchObject({ accepted: 0, dropped: { 'no-consent': 1 } });

    const accepter = await bannerVisitor(c.server, 'all');
    await consentToEveryPurpose(c, accepter.visitorId);
    for (const category of gated) expect(await sendEvent(c, accepter.visitorId, category), category).toMatchObject({ accepted: 1 });

    // "change at any time": the same visitor refuses, and nothing more is collected.
    await bannerVisitor(c.server, [], {}, accepter.visitorId);
    for (const category of gated) expect(await sendEvent(c, accepter.visitorId, category), category).toMatchObject({ accepted: 0, dropped: { 'no-consent': 1 } });
  },

  async 'opt-out-cookies'(c) {
    const optOut = saleOrSharing(c);
    expect(optOut.length).toBeGreaterThan(0);
    const others = optionalCookies(c).filter((id) => !optOut.includes(id));
    const visitor = await bannerVisitor(c.server, others);
    expect(visitor.refused).toEqual(expect.arrayContaining(optOut));
    // Refusing them is recorded, with its proof, where staff and the person's export find it.
    const history = expectStatus(await c.server.inject({ method: 'GET', url: `/v1/consent/${visitor.subjectId}`, headers: await c.staff('auditor') }), 200).json<{
      records: { refused: string[]; verified: boolean }[];
    }>();
    expect(history.records).toEqual([expect.objectContaining({ refused: expect.arrayContaining(optOut) as unknown, verified: true })]);
    // What only those categories collect is not collected.
    const onlyThrough = consentGatedCategories(c.declaration).filter((category) =>
      c.declaration.cookies.filter((group) => group.collects.includes(category)).every((group) => optOut.includes(group.id)),
    );
    for (const category of onlyThrough) expect(await sendEvent(c, visitor.visitorId, category), category).toMatchObject({ accepted: 0 });
  },

  async 'dnt-honored'(c) {
    // A decision made with DNT refuses every optional category, whatever was clicked.
    const withDnt = await bannerVisitor(c.server, 'all', { dnt: '1' });
    expect(withDnt.signalsHonored).toContain('dnt');
    expect(withDnt.refused.sort()).toEqual(optionalCookies(c).sort());
    // A browser that said yes and sends DNT afterwards is not tracked on those requests.
    const accepter = await bannerVisitor(c.server, 'all');
    await consentToEveryPurpose(c, accepter.visitorId);
    for (const category of consentGatedCategories(c.declaration)) {
      expect(await sendEvent(c, accepter.visitorId, category, { dnt: '1' }), category).toMatchObject({ accepted: 0, dropped: { 'signal-opt-out': 1 } });
      expect(await sendEvent(c, accepter.visitorId, category), category).toMatchObject({ accepted: 1 });
    }
  },

  async 'dnt-ignored'(c) {
    const withDnt = await bannerVisitor(c.server, 'all', { dnt: '1' });
    expect(withDnt.signalsHonored).not.toContain('dnt');
    expect(withDnt.refused).toEqual([]);
    for (const category of onInterests(c)) expect(await sendEvent(c, withDnt.visitorId, category.id, { dnt: '1' }), category.id).toMatchObject({ accepted: 1 });
  },

  async 'gpc-honored'(c) {
    const resource = expectStatus(await c.server.inject({ method: 'GET', url: '/.well-known/gpc.json' }), 200).json<{ gpc: boolean }>();
    expect(resource.gpc).toBe(true);
    const withGpc = await bannerVisitor(c.server, 'all', { 'sec-gpc': '1' });
    expect(withGpc.signalsHonored).toContain('gpc');
    expect(withGpc.refused.sort()).toEqual(saleOrSharing(c).sort());
    expect(withGpc.granted).toEqual(expect.arrayContaining(optionalCookies(c).filter((id) => !saleOrSharing(c).includes(id))));
  },

  async 'gpc-ignored'(c) {
    const resource = expectStatus(await c.server.inject({ method: 'GET', url: '/.well-known/gpc.json' }), 200).json<{ gpc: boolean }>();
    expect(resource.gpc).toBe(false);
    const withGpc = await bannerVisitor(c.server, 'all', { 'sec-gpc': '1' });
    expect(withGpc.signalsHonored).not.toContain('gpc');
    expect(withGpc.refused).toEqual([]);
  },
};
