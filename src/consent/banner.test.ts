import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { examplePolicy } from '../../test/support/fixtures.js';
import { loadDeclaration, parseDeclaration } from '../policy/load-declaration.js';
import { bannerLanguage, bannerStringKeys, bannerStrings } from './banner-strings.js';
import { bannerFor, bannerHashesOf, durationWords } from './banner.js';
import { consentModeDefaults } from './consent-mode.js';

const { declaration } = await loadDeclaration(examplePolicy);
const versions = { policyVersion: 4, lastMaterialVersion: 2 };

describe('the consent banner', () => {
  it('gives the SDK the texts, categories, signal settings and links, in English by default', () => {
    const banner = bannerFor(declaration, versions);
    expect(banner).toMatchObject({
      lang: 'en',
      policyVersion: 4,
      lastMaterialVersion: 2,
      strings: { acceptAll: 'Accept all', rejectAll: 'Reject all', signalHonored: 'Your opt-out preference signal was honored.' },
      signals: { doNotTrack: 'ignore', globalPrivacyControl: 'honor' },
      links: { notice: true, privacyUrl: '/privacy' },
    });
    const shown = banner.categories.map((category) => Object.fromEntries(Object.entries(category).filter(([key]) => key !== 'cookieDetails' && key !== 'recipients')));
    expect(shown).toEqual([
      { id: 'necessary', name: 'Strictly necessary', description: expect.any(String) as unknown, necessary: true, treatedAs: [], cookies: [{ name: 'vow_consent', pattern: false }, { name: 'vow_age_gate', pattern: false }], consentMode: ['security_storage', 'functionality_storage'] },
      {
        id: 'analytics',
        name: 'Analytics',
        description: expect.any(String) as unknown,
        necessary: false,
        treatedAs: [],
        cookies: [
          { name: '_ga', pattern: false },
          { name: '^_ga_', pattern: true },
        ],
        consentMode: ['analytics_storage'],
      },
      { id: 'advertising', name: 'Advertising', description: expect.any(String) as unknown, necessary: false, treatedAs: ['sale', 'sharing', 'advertising'], cookies: [], consentMode: ['ad_storage', 'ad_user_data', 'ad_personalization'] },
    ]);
    expect(banner.bannerHash).toMatch(/^[0-9a-f]{64}$/);
    expect(bannerFor(declaration, { ...versions, lang: 'de' })).toEqual(banner);
  });

  it('lists each category’s cookies with provider, purpose and duration in words, and who receives what it collects', () => {
    const [, analytics] = bannerFor(declaration, versions).categories;
    expect(analytics?.cookieDetails).toEqual([
      { name: '_ga', provider: 'Google Analytics', purpose: 'Distinguishes visitors.', duration: '2 years' },
      { name: '^_ga_', provider: 'Google Analytics', purpose: 'Keeps the state of a visit.', duration: '2 years' },
    ]);
    expect(analytics?.recipients).toEqual(expect.arrayContaining(['Website hosting provider', 'Cloud infrastructure provider']));
    const [necessary] = bannerFor(declaration, { ...versions, lang: 'fr' }).categories;
    expect(necessary?.cookieDetails.map((cookie) => cookie.duration)).toEqual(['1 an', '1 jour']);
    expect(durationWords('P1Y6M', 'en')).toBe('1 year 6 months');
    expect(durationWords('PT30M', 'fr')).toBe('30 minutes');
    expect(durationWords('session', 'en')).toBe('session');
  });

  it('maps each signal of Google Consent Mode to one cookie category, refusing a signal mapped twice', () => {
    const text = readFileSync(examplePolicy, 'utf8').replace('consentMode: [analytics_storage]', 'consentMode: [analytics_storage, ad_storage]');
    const result = parseDeclaration(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toMatchObject([{ path: 'cookies[2].consentMode[0]', message: 'Consent Mode signal "ad_storage" is already mapped by cookie category "analytics"' }]);
    expect(consentModeDefaults(declaration)).toEqual({
      signals: {
        ad_storage: 'denied',
        ad_user_data: 'denied',
        ad_personalization: 'denied',
        analytics_storage: 'denied',
        functionality_storage: 'granted',
        personalization_storage: 'denied',
        security_storage: 'granted',
      },
      regions: [{ region: ['US'], signals: expect.objectContaining({ ad_storage: 'granted' }) as unknown }],
      waitForUpdate: 500,
    });
  });

  it('speaks French: Vow’s strings and the declaration’s translations', () => {
    const banner = bannerFor(declaration, { ...versions, lang: 'fr-CA' });
    expect(banner.lang).toBe('fr');
    expect(banner.strings).toEqual(bannerStrings.fr);
    expect(banner.strings).toMatchObject({ acceptAll: 'Tout accepter', rejectAll: 'Tout refuser', signalHonored: 'Votre signal de préférence de refus a été respecté.' });
    expect(banner.categories.map((category) => category.name)).toEqual(['Strictement nécessaires', 'Mesure d’audience', 'Publicité']);
    expect(banner.bannerHash).not.toBe(bannerFor(declaration, versions).bannerHash);
    expect(bannerHashesOf(declaration)).toEqual(new Set([banner.bannerHash, bannerFor(declaration, versions).bannerHash]));
  });

  it('has every string in every language, and picks languages sensibly', () => {
    for (const strings of Object.values(bannerStrings)) {
      expect(Object.keys(strings).sort()).toEqual([...bannerStringKeys].sort());
      for (const text of Object.values(strings)) expect(text.trim()).not.toBe('');
    }
    expect([bannerLanguage('FR'), bannerLanguage('fr_BE'), bannerLanguage('en-GB'), bannerLanguage(undefined), bannerLanguage('xx')]).toEqual(['fr', 'fr', 'en', 'en', 'en']);
  });

  it('hashes exactly the texts shown: a change of wording changes the hash; versions do not', () => {
    const { bannerHash } = bannerFor(declaration, versions);
    expect(bannerFor(declaration, { policyVersion: 9, lastMaterialVersion: 9 }).bannerHash).toBe(bannerHash);
    const reworded = {
      ...declaration,
      cookies: declaration.cookies.map((group) => (group.id === 'analytics' ? { ...group, description: `${group.description} Really.` } : group)),
    };
    expect(bannerFor(reworded, versions).bannerHash).not.toBe(bannerHash);
    const retranslated = { ...declaration, translations: { fr: { cookies: { advertising: { name: 'Réclame', description: 'Autre texte.' } } } } };
    expect(bannerFor(retranslated, versions).bannerHash).toBe(bannerHash);
    expect(bannerFor(retranslated, { ...versions, lang: 'fr' }).bannerHash).not.toBe(bannerFor(declaration, { ...versions, lang: 'fr' }).bannerHash);
  });

  it('refuses a translation of an undeclared cookie category, naming its place', () => {
    const text = `${readFileSync(examplePolicy, 'utf8')}\n  de:\n    cookies:\n      tracking: { name: Verfolgung, description: Gibt es nicht. }\n`;
    const result = parseDeclaration(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toEqual([expect.objectContaining({ path: 'translations.de.cookies.tracking', message: 'undeclared cookie category "tracking"' })]);
    const badLanguage = parseDeclaration(`${readFileSync(examplePolicy, 'utf8')}\n  French: {}\n`);
    expect(badLanguage).toMatchObject({ ok: false, problems: [{ path: 'translations.French', message: 'must be a language code such as fr or pt-BR' }] });
  });
});
