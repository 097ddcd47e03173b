/**
 * Vow's own words on the consent banner, the privacy settings and the preference form for
 * purposes based on consent, per language. The declaration supplies its own texts (cookie
 * categories and their translations, purposes); these are the buttons and notices around
 * them. A language is listed only when complete: the type makes every language carry every
 * string.
 */

export const bannerStringKeys = [
  'title',
  'intro',
  /** The first layer's words where the consent model is opt-out (notice): on until refused. */
  'introOptOut',
  'acceptAll',
  'rejectAll',
  'choose',
  'save',
  /** Beside strictly necessary categories, which cannot be refused. */
  'alwaysActive',
  'askEachTime',
  'once',
  'always',
  'no',
  'privacySettings',
  'privacyPolicy',
  /** Shown in the privacy settings when GPC (or DNT, when honored) opted the visitor out. */
  'signalHonored',
  /** Shown before following a link to another website, when the declaration asks for it. */
  'leavingNotice',
  'continue',
  'close',
  /** The preference form's legend: `{organization}` stands for the organization's name, which the form's `textHash` covers. */
  'purposesTitle',
  /** Announced once the form's decisions are recorded. */
  'saved',
  'notSaved',
  /** The first layer's list of the categories asked about: `{categories}` stands for their names. */
  'categoriesAsked',
  /** The first layer's reason for asking again: a material change of the policy since the visitor's choice. */
  'askAgain',
  /** The head of the settings' table of a category's cookies. */
  'cookie',
  'provider',
  'cookiePurpose',
  'duration',
  /** Before the recipients of what a category collects. */
  'sharedWith',
  /** A blocked embed's placeholder: `{category}` stands for the category's name. */
  'blockedEmbed',
  'allowCategory',
] as const;
export type BannerStringKey = (typeof bannerStringKeys)[number];
export type BannerStrings = Record<BannerStringKey, string>;

export const bannerLanguages = ['en', 'fr'] as const;
export type BannerLanguage = (typeof bannerLanguages)[number];

export const bannerStrings: Readonly<Record<BannerLanguage, Readonly<BannerStrings>>> = {
  en: {
    title: 'Your privacy choices',
    intro:
      'We use strictly necessary cookies to make the Site work. With your consent we would also like to use the others below. You can change your mind at any time in the privacy settings.',
    introOptOut:
      'We use the cookies below, for analytics and advertising among others. You can opt out of them at any time: choose “Reject all”, or set each category in the privacy settings.',
    acceptAll: 'Accept all',
    rejectAll: 'Reject all',
    choose: 'Choose',
    save: 'Save my choices',
    alwaysActive: 'Always active',
    askEachTime: 'Ask each time',
    once: 'Once',
    always: 'Always',
    no: 'No',
    privacySettings: 'Privacy settings',
    privacyPolicy: 'Privacy policy',
    signalHonored: 'Your opt-out preference signal was honored.',
    leavingNotice: 'You are leaving our site. The other site’s own privacy policy applies there, not ours.',
    continue: 'Continue',
    close: 'Close',
    purposesTitle: 'What {organization} may do with your consent',
    saved: 'Your choices are saved.',
    notSaved: 'Your choices could not be saved. Please try again.',
    categoriesAsked: 'We ask your consent for: {categories}.',
    askAgain: 'Our privacy policy has changed in a way that matters since your last choice, so we ask again.',
    cookie: 'Cookie',
    provider: 'Provider',
    cookiePurpose: 'Purpose',
    duration: 'Duration',
    sharedWith: 'Shared with',
    blockedEmbed: 'This content is blocked: it uses {category} cookies, which you have not allowed.',
    allowCategory: 'Allow {category}',
  },
  fr: {
    title: 'Vos choix en matière de confidentialité',
    intro:
      'Nous utilisons des cookies strictement nécessaires au fonctionnement du Site. Avec votre accord, nous aimerions aussi utiliser les autres ci-dessous. Vous pouvez changer d’avis à tout moment dans les paramètres de confidentialité.',
    introOptOut:
      'Nous utilisons les cookies ci-dessous, notamment pour la mesure d’audience et la publicité. Vous pouvez les refuser à tout moment : choisissez « Tout refuser », ou réglez chaque catégorie dans les paramètres de confidentialité.',
    acceptAll: 'Tout accepter',
    rejectAll: 'Tout refuser',
    choose: 'Choisir',
    save: 'Enregistrer mes choix',
    alwaysActive: 'Toujours actifs',
    askEachTime: 'Demander à chaque fois',
    once: 'Une fois',
    always: 'Toujours',
    no: 'Non',
    privacySettings: 'Paramètres de confidentialité',
    privacyPolicy: 'Politique de confidentialité',
    signalHonored: 'Votre signal de préférence de refus a été respecté.',
    leavingNotice: 'Vous quittez notre site. La politique de confidentialité de l’autre site s’y applique, et non la nôtre.',
    continue: 'Continuer',
    close: 'Fermer',
    purposesTitle: 'Ce que {organization} peut faire avec votre accord',
    saved: 'Vos choix sont enregistrés.',
    notSaved: 'Vos choix n’ont pas pu être enregistrés. Veuillez réessayer.',
    categoriesAsked: 'Nous vous demandons votre accord pour : {categories}.',
    askAgain: 'Notre politique de confidentialité a changé de façon importante depuis votre dernier choix : nous vous le redemandons.',
    cookie: 'Cookie',
    provider: 'Fournisseur',
    cookiePurpose: 'Finalité',
    duration: 'Durée',
    sharedWith: 'Partagé avec',
    blockedEmbed: 'Ce contenu est bloqué : il utilise des cookies « {category} », que vous n’avez pas autorisés.',
    allowCategory: 'Autoriser « {category} »',
  },
};

/**
 * The banner language for a requested one: itself, else its primary subtag, else English.
 *
 *   bannerLanguage('fr-CA') // 'fr'
 *   bannerLanguage('de')    // 'en'
 */
export function bannerLanguage(requested: string | undefined): BannerLanguage {
  const wanted = (requested ?? '').trim().toLowerCase();
  const primary = wanted.split(/[-_]/)[0] ?? '';
  return isBannerLanguage(wanted) ? wanted : isBannerLanguage(primary) ? primary : 'en';
}

function isBannerLanguage(value: string): value is BannerLanguage {
  return (bannerLanguages as readonly string[]).includes(value);
}
