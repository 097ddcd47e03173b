/** The shell shared by the public pages: head, stylesheet and skip link. */
import { escapeHtml } from './escape-html.js';
import { pageStyle } from './page-style.js';

export interface HtmlPage {
  title: string;
  /** Already-rendered markup placed before `<main>`: the header and any navigation. */
  header: string;
  /** Already-rendered markup of the main content. */
  main: string;
}

export function renderHtmlPage(page: HtmlPage): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)}</title>`,
    `<style>${pageStyle}</style>`,
    '</head>',
    '<body>',
    '<a class="skip-link" href="#main">Skip to main content</a>',
    '<div class="page">',
    page.header,
    `<main id="main" tabindex="-1">\n${page.main}\n</main>`,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
