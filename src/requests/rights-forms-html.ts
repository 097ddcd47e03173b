/**
 * The "Your rights" section of the served privacy page: a form to file a request (and
 * to enter the code that verifies it), and a form to report a child's data. Plain HTML
 * forms posting to the same origin, no scripts: the page's CSP stays as strict as it was.
 */
import type { Declaration } from '../policy/declaration.js';
import { escapeHtml } from '../policy/escape-html.js';
import { renderHtmlPage } from '../policy/render-html-page.js';

export const RIGHTS_SECTION_ID = 'your-rights';

const formStyle = `
.rights form { background: var(--panel); border-radius: 0.5rem; padding: 1rem 1.25rem; margin: 1rem 0 1.5rem; }
.rights label { display: block; font-weight: 600; margin: 0.75rem 0 0.25rem; }
.rights input, .rights select, .rights textarea { width: 100%; font: inherit; padding: 0.4rem 0.5rem; border: 1px solid var(--line); border-radius: 0.25rem; background: var(--bg); color: var(--text); }
.rights textarea { min-height: 6rem; }
.rights button { margin-top: 1rem; font: inherit; font-weight: 600; padding: 0.5rem 1.25rem; border: 2px solid var(--link); border-radius: 0.35rem; background: var(--link); color: var(--bg); cursor: pointer; }
.rights .hint { color: var(--muted); font-size: 0.95rem; margin: 0.25rem 0 0; }
.rights .form-error { font-weight: 600; border-left: 4px solid currentColor; padding-left: 0.5rem; margin: 0.5rem 0 0; }
`;

const kinds: readonly [string, string][] = [
  ['access', 'Get a copy of my personal information'],
  ['correction', 'Correct my personal information'],
  ['deletion', 'Delete my personal information'],
  ['opt-out', 'Do not sell or share my personal information'],
  ['question', 'Ask a question about my personal information'],
];

/**
 * The declaration's warning about e-mail (`security.emailWarning`) as a hint beside a
 * form's e-mail fields, which point to it (`aria-describedby`) so that a screen reader
 * reads it with each field; nothing, and no pointer, when the declaration has none.
 */
export function emailWarningHint(declaration: Declaration, id: string): { hint: string; describedBy: string } {
  const warning = declaration.security.emailWarning;
  if (warning === undefined) return { hint: '', describedBy: '' };
  return { hint: `<p id="${id}" class="hint email-warning">${escapeHtml(warning)}</p>`, describedBy: ` aria-describedby="${id}"` };
}

export function rightsSection(declaration: Declaration): string {
  const organization = escapeHtml(declaration.organization.shortName);
  const requestWarning = emailWarningHint(declaration, 'rights-email-warning');
  const reportWarning = emailWarningHint(declaration, 'child-email-warning');
  return [
    `<section id="${RIGHTS_SECTION_ID}" class="rights" aria-labelledby="${RIGHTS_SECTION_ID}-title">`,
    `<style>${formStyle}</style>`,
    `<h2 id="${RIGHTS_SECTION_ID}-title">Your rights</h2>`,
    `<p>Ask ${organization} for a copy of your personal information, to correct or delete it, or not to sell or share it. We send a code to the address you give to confirm the request is yours (an opt-out takes effect at once). We answer within one month (45 days in California).</p>`,
    '<form method="post" action="/privacy/requests" accept-charset="utf-8">',
    '<label for="rights-kind">What would you like?</label>',
    '<select id="rights-kind" name="kind" required>',
    ...kinds.map(([value, label]) => `<option value="${value}">${escapeHtml(label)}</option>`),
    '</select>',
    '<label for="rights-email">Your e-mail address</label>',
    `<input id="rights-email" name="email" type="email" autocomplete="email" required maxlength="254"${requestWarning.describedBy}>`,
    requestWarning.hint,
    '<label for="rights-details">Details (for a correction, say what is wrong and what is right; for a question, ask it)</label>',
    '<textarea id="rights-details" name="details" maxlength="5000"></textarea>',
    '<label for="rights-region">Where you live (optional, e.g. FR or US-CA)</label>',
    '<input id="rights-region" name="jurisdiction" maxlength="10" autocomplete="off">',
    '<button type="submit">Send request</button>',
    '</form>',
    '<h3 id="report-child">Report a child’s data</h3>',
    `<p>If you believe a child under ${declaration.minimumAge} gave us personal information, tell us: we review the report and delete the child’s data.</p>`,
    '<form method="post" action="/privacy/reports/child" accept-charset="utf-8">',
    '<label for="child-email">The child’s e-mail address, as they gave it to us (we find their data by it)</label>',
    `<input id="child-email" name="childEmail" type="email" maxlength="254" autocomplete="off" required${reportWarning.describedBy}>`,
    '<label for="child-reporter">Your e-mail address (optional, to hear back)</label>',
    `<input id="child-reporter" name="reporterEmail" type="email" maxlength="254" autocomplete="email"${reportWarning.describedBy}>`,
    reportWarning.hint,
    '<label for="child-details">What should we know?</label>',
    '<textarea id="child-details" name="details" required maxlength="5000"></textarea>',
    '<button type="submit">Send report</button>',
    '</form>',
    '</section>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** The policy page with the section appended to its content and listed in its table of contents. */
export function withRightsForms(page: string, declaration: Declaration): string {
  const withSection = page.replace('\n</main>', `\n${rightsSection(declaration)}\n</main>`);
  return withSection.replace('</ol>\n</nav>', `<li><a href="#${RIGHTS_SECTION_ID}">Your rights</a></li>\n</ol>\n</nav>`);
}

/**
 * The small page a form post answers with. With `verifyRequestId`, the code form, so a
 * wrong or mistyped code leads back to the field, its error named beside it (`codeError`);
 * `resend` adds the button that sends a new code.
 */
export function formAnswerPage(options: { title: string; paragraphs: string[]; verifyRequestId?: string; codeError?: string; resend?: boolean }): string {
  const request = options.verifyRequestId === undefined ? '' : escapeHtml(options.verifyRequestId);
  const invalid = options.codeError === undefined ? '' : ' aria-invalid="true" aria-describedby="verify-code-error"';
  const main = [
    ...options.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    ...(options.verifyRequestId === undefined
      ? []
      : [
          `<section class="rights"><style>${formStyle}</style>`,
          '<form method="post" action="/privacy/requests/verify" accept-charset="utf-8">',
          `<input type="hidden" name="request" value="${request}">`,
          '<label for="verify-code">Code from the e-mail</label>',
          `<input id="verify-code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required${invalid}${options.codeError === undefined ? '' : ' autofocus'}>`,
          ...(options.codeError === undefined ? [] : [`<p id="verify-code-error" class="form-error" role="alert">${escapeHtml(options.codeError)}</p>`]),
          '<button type="submit">Confirm</button>',
          '</form>',
          ...(options.resend
            ? [
                '<form method="post" action="/privacy/requests/resend" accept-charset="utf-8">',
                `<input type="hidden" name="request" value="${request}">`,
                '<button type="submit">Send me a new code</button>',
                '</form>',
              ]
            : []),
          '</section>',
        ]),
    '<p><a href="/privacy">Back to the privacy policy</a></p>',
  ].join('\n');
  return renderHtmlPage({ title: options.title, header: `<header><h1>${escapeHtml(options.title)}</h1></header>`, main });
}
