import { expect, it } from 'vitest';
import { describeEachDatabase, withStore } from '../../test/support/databases.js';
import { examplePolicy } from '../../test/support/fixtures.js';
import { verifyAudit } from '../audit/verify-audit.js';
import type { Declaration } from '../policy/declaration.js';
import { loadDeclaration } from '../policy/load-declaration.js';
import { publishPolicy } from '../policy/publish-policy.js';
import type { Store } from '../store/open-store.js';
import { openVault } from '../vault/open-vault.js';
import type { VaultContext } from '../vault/vault-context.js';
import { bannerFor } from './banner.js';
import { consentHistory } from './consent-history.js';
import { verifyConsentProof } from './consent-record.js';
import { latestConsent } from './consent-state.js';
import { recordConsent, type RecordConsentOptions } from './record-consent.js';

const { declaration: example } = await loadDeclaration(examplePolicy);
const none = { gpc: false, dnt: false };

describeEachDatabase('consent records', (database) => {
  const withConsent = (test: (vault: VaultContext, store: Store, decision: Omit<RecordConsentOptions, 'granted' | 'refused'>) => Promise<void>, declaration: Declaration = example) =>
    withStore(database(), async (store) => {
      const { version } = await publishPolicy(store.db, { declaration, material: false, actor: 'system' });
      const vault = await openVault({ db: store.db, dataDir: database().dataDir, masterKeys: undefined, declaration });
      const { bannerHash } = bannerFor(declaration, { policyVersion: version.number, lastMaterialVersion: version.number });
      await test(vault, store, { source: 'banner', policyVersion: version.number, bannerHash, signals: none });
    });

  it('records a decision from each source for a new or known visitor, with a verifiable proof, oldest first in the history', () =>
    withConsent(async (vault, store, decision) => {
      const first = await recordConsent(vault, { ...decision, granted: ['analytics', 'advertising'], refused: [], now: new Date('2026-03-01T10:00:00Z') });
      expect(first).toEqual({
        visitorId: expect.stringMatching(/^vis_[A-Za-z0-9_-]{22}$/) as unknown,
        subjectId: expect.stringMatching(/^sub_[A-Za-z0-9_-]{22}$/) as unknown,
        granted: ['necessary', 'analytics', 'advertising'],
        refused: [],
        signalsHonored: [],
        recordedAt: '2026-03-01T10:00:00.000Z',
        proof: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      });
      const { visitorId } = first;
      const second = await recordConsent(vault, { ...decision, visitorId, source: 'api', granted: ['necessary'], refused: ['analytics', 'advertising'], now: new Date('2026-03-02T10:00:00Z') });
      const third = await recordConsent(vault, { ...decision, visitorId, source: 'signal', granted: ['analytics'], refused: ['advertising'], now: new Date('2026-03-03T10:00:00Z') });
      expect([second.subjectId, third.subjectId]).toEqual([first.subjectId, first.subjectId]);
      expect(second.visitorId).toBe(visitorId);

      const history = await consentHistory(store.db, first.subjectId);
      expect(history.map((record) => [record.source, record.granted, record.refused])).toEqual([
        ['banner', ['necessary', 'analytics', 'advertising'], []],
        ['api', ['necessary'], ['analytics', 'advertising']],
        ['signal', ['necessary', 'analytics'], ['advertising']],
      ]);
      expect(history.map((record) => record.proof)).toEqual([first.proof, second.proof, third.proof]);
      expect(history.every(verifyConsentProof)).toBe(true);
      expect(history[0]).toMatchObject({ policyVersion: decision.policyVersion, bannerHash: decision.bannerHash, gpc: false, dnt: false });
      expect(await latestConsent(store.db, first.subjectId)).toMatchObject({ granted: ['necessary', 'analytics'], refused: ['advertising'], recordedAt: third.recordedAt });

      const subject = await store.db.selectFrom('subjects').select('kind').where('id', '=', first.subjectId).executeTakeFirstOrThrow();
      expect(subject.kind).toBe('visitor');
      const audit = await store.db.selectFrom('audit_log').select(['action', 'target', 'data']).where('action', '=', 'consent.recorded').orderBy('seq').execute();
      expect(audit).toHaveLength(3);
      expect(audit[0]).toMatchObject({ target: `subject:${first.subjectId}` });
      expect(JSON.parse(audit[1]?.data ?? '{}')).toMatchObject({ granted: 'necessary', refused: 'analytics,advertising', source: 'api', gpc: false, dnt: false });
      expect(audit.map((row) => row.data).join('')).not.toContain(visitorId);
      expect(await verifyAudit(store.db)).toMatchObject({ ok: true });
    }));

  it('refuses unknown categories, refusing a necessary one, and leaving a category undecided, storing nothing', () =>
    withConsent(async (vault, store, decision) => {
      await expect(recordConsent(vault, { ...decision, granted: ['analytics', 'tracking'], refused: ['advertising'] })).rejects.toMatchObject({
        code: 'bad_request',
        message: 'unknown cookie category "tracking"',
        problems: [{ path: 'granted[1]', message: 'unknown cookie category "tracking"' }],
      });
      await expect(recordConsent(vault, { ...decision, granted: ['analytics'], refused: ['necessary', 'advertising'] })).rejects.toMatchObject({
        code: 'bad_request',
        problems: [{ path: 'refused[0]', message: 'cookie category "necessary" is strictly necessary and cannot be refused' }],
      });
      await expect(recordConsent(vault, { ...decision, granted: ['analytics'], refused: [] })).rejects.toMatchObject({
        problems: [{ path: 'granted', message: 'cookie category "advertising" is neither granted nor refused' }],
      });
      await expect(recordConsent(vault, { ...decision, granted: ['analytics', 'advertising'], refused: ['advertising'] })).rejects.toMatchObject({
        problems: [{ path: 'refused[0]', message: 'cookie category "advertising" is both granted and refused' }],
      });
      await expect(recordConsent(vault, { ...decision, bannerHash: 'f'.repeat(64), granted: ['analytics', 'advertising'], refused: [] })).rejects.toMatchObject({
        problems: [{ path: 'bannerHash' }],
      });
      await expect(recordConsent(vault, { ...decision, policyVersion: 7, granted: ['analytics', 'advertising'], refused: [] })).rejects.toMatchObject({
        problems: [{ path: 'policyVersion' }],
      });
      expect(await store.db.selectFrom('consent_records').selectAll().execute()).toEqual([]);
      expect(await store.db.selectFrom('subjects').selectAll().execute()).toEqual([]);
    }));

  it('moves what GPC opts out of to refused and records the signals; DNT is ignored as the example declares', () =>
    withConsent(async (vault, store, decision) => {
      const all = { granted: ['analytics', 'advertising'], refused: [] };
      const gpc = await recordConsent(vault, { ...decision, ...all, signals: { gpc: true, dnt: true } });
      expect(gpc).toMatchObject({ granted: ['necessary', 'analytics'], refused: ['advertising'], signalsHonored: ['gpc'] });
      expect(await latestConsent(store.db, gpc.subjectId)).toMatchObject({ gpc: true, dnt: true, refused: ['advertising'] });
      const dnt = await recordConsent(vault, { ...decision, ...all, signals: { gpc: false, dnt: true } });
      expect(dnt).toMatchObject({ granted: ['necessary', 'analytics', 'advertising'], refused: [], signalsHonored: [] });
      expect(await latestConsent(store.db, dnt.subjectId)).toMatchObject({ gpc: false, dnt: true });
    }));

  it('treats DNT, when the declaration honors it, as a refusal of every category that is not strictly necessary', () =>
    withConsent(
      async (vault, _store, decision) => {
        const dnt = await recordConsent(vault, { ...decision, granted: ['analytics', 'advertising'], refused: [], signals: { gpc: false, dnt: true } });
        expect(dnt).toMatchObject({ granted: ['necessary'], refused: ['analytics', 'advertising'], signalsHonored: ['dnt'] });
      },
      { ...example, signals: { ...example.signals, doNotTrack: 'honor' } },
    ));

  it('detects a record altered after the fact', () =>
    withConsent(async (vault, store, decision) => {
      const { subjectId } = await recordConsent(vault, { ...decision, granted: [], refused: ['analytics', 'advertising'] });
      const [record] = await consentHistory(store.db, subjectId);
      if (!record) throw new Error('no record');
      expect(verifyConsentProof(record)).toBe(true);
      for (const altered of [
        { ...record, granted: ['necessary', 'advertising'] },
        { ...record, gpc: true },
        { ...record, recordedAt: '2020-01-01T00:00:00.000Z' },
        { ...record, bannerHash: '0'.repeat(64) },
        { ...record, policyVersion: record.policyVersion + 1 },
        { ...record, proof: 'not hex' },
      ]) {
        expect(verifyConsentProof(altered)).toBe(false);
      }
      await store.db.updateTable('consent_records').set({ refused: '["analytics"]', granted: '["necessary","advertising"]' }).execute();
      const [tampered] = await consentHistory(store.db, subjectId);
      expect(tampered && verifyConsentProof(tampered)).toBe(false);
    }));
});
