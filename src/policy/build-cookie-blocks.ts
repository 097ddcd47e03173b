/**
 * The cookies part of section 1: what the browser lets you do, the table of every
 * declared cookie, and what the cookie banner and opt-out signals change.
 */
import type { CookieCategory, Declaration } from './declaration.js';
import { type Block, type Inline, emphasis, joinInlines, list, paragraph, promising, strong, text } from './policy-document.js';
import { durationWords, listWords } from './policy-document-words.js';

export function cookieBlocks(declaration: Declaration): Block[] {
  const blocks: Block[] = [
    paragraph(
      text(
        'You can set your browser to accept all cookies, to reject all cookies, or to notify you whenever a cookie is offered so that you can decide each time whether to accept it. However, refusing a cookie may in some cases preclude you from using, or negatively affect the display or function of, a website or certain areas or features of a website.',
      ),
    ),
  ];
  if (declaration.cookies.length === 0) return blocks;

  blocks.push(cookieTable(declaration.cookies));
  blocks.push(...bannerBlocks(declaration));
  return blocks;
}

function cookieTable(groups: readonly CookieCategory[]): Block {
  const rows = groups.flatMap((group): Inline[][][] => {
    const necessary = [text(group.necessary ? 'Yes' : 'No')];
    if (group.cookies.length === 0) {
      return [[[text(group.name)], [emphasis('none set at present')], [text('—')], [text('—')], necessary]];
    }
    return group.cookies.map((cookie) => [
      [text(group.name)],
      cookie.pattern ? [text(cookie.name), text(' '), emphasis('(name pattern)')] : [text(cookie.name)],
      [text(`${cookie.provider}: ${cookie.description}`)],
      [text(cookie.duration === 'session' ? 'Until you close your browser' : durationWords(cookie.duration))],
      necessary,
    ]);
  });
  return {
    kind: 'table',
    caption: 'Cookies we use',
    head: ['Category', 'Cookie', 'Set by and why', 'Duration', 'Necessary'],
    rows,
  };
}

function bannerBlocks(declaration: Declaration): Block[] {
  const groups = declaration.cookies;
  const names = (selected: readonly CookieCategory[]) => joinInlines(selected.map((group) => [strong(group.name)]));
  const necessary = groups.filter((group) => group.necessary);
  const optional = groups.filter((group) => !group.necessary);
  const blocks: Block[] = [];

  const categoryDescriptions = groups.map((group) => [strong(`${group.name}:`), text(` ${group.description}`)]);
  blocks.push(list(categoryDescriptions));

  if (necessary.length > 0) {
    blocks.push(paragraph(text('Cookies in the '), ...names(necessary), text(' category are set without asking, because the Site cannot work without them.')));
  }
  if (optional.length > 0) {
    blocks.push(
      promising(
        paragraph(
          text('We set cookies in the '),
          ...names(optional),
          text(
            ` ${optional.length === 1 ? 'category' : 'categories'} only with your consent, which you can give or refuse for all of them at once or for each category, and change at any time.`,
          ),
        ),
        'cookies-with-consent',
      ),
    );
  }

  const optOut = groups.filter((group) => group.treatedAs.includes('sale') || group.treatedAs.includes('sharing'));
  if (optOut.length > 0) {
    const treatments = new Set(optOut.flatMap((group) => group.treatedAs));
    const transfer = listWords(
      (['sale', 'sharing'] as const).filter((treatment) => treatments.has(treatment)).map((treatment) => `“${treatment}”`),
      'or',
    );
    const advertising = treatments.has('advertising') ? ' and to targeted advertising' : '';
    const gpc =
      declaration.signals.globalPrivacyControl === 'honor'
        ? ' A Global Privacy Control signal from your browser refuses them for you.'
        : '';
    blocks.push(
      promising(
        paragraph(
          text('Cookies in the '),
          ...names(optOut),
          text(
            ` ${optOut.length === 1 ? 'category amount' : 'categories amount'} to a ${transfer} of Personal Information${advertising}, as some privacy laws define these terms; you can opt out of them by refusing them.${gpc}`,
          ),
        ),
        'opt-out-cookies',
      ),
    );
  }
  return blocks;
}
