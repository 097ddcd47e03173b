/** The history of the published policy as an accessible page, newest version first. */
import { escapeHtml } from './escape-html.js';
import { dateWords } from './policy-document-words.js';
import { renderHtmlPage } from './render-html-page.js';

export interface VersionEntry {
  number: number;
  hash: string;
  publishedAt: string;
  material: boolean;
}

export function renderVersionsHtml(orgName: string, versions: readonly VersionEntry[]): string {
  const title = `${orgName} Privacy Policy: all versions`;
  const header = [
    '<header>',
    `<h1>${escapeHtml(title)}</h1>`,
    '<p class="meta"><a href="/privacy">Read the current version</a></p>',
    '</header>',
  ].join('\n');
  const newestFirst = [...versions].sort((a, b) => b.number - a.number);
  const main =
    newestFirst.length === 0
      ? '<p>No version of the privacy policy has been published yet.</p>'
      : [
          '<p>Every version we have published stays available here. Versions marked <strong>Material change</strong> changed how we handle Personal Information in a way we announce to you.</p>',
          '<ul class="versions">',
          ...newestFirst.map(entry),
          '</ul>',
        ].join('\n');
  return renderHtmlPage({ title, header, main });
}

function entry(version: VersionEntry): string {
  const published = `<time datetime="${escapeHtml(version.publishedAt)}">${escapeHtml(dateWords(version.publishedAt))}</time>`;
  const material = version.material ? ' <strong class="badge">Material change</strong>' : '';
  // The content hash lets a reader check that a version was not altered after publication.
  const hash = ` <br><small>Content hash <code>${escapeHtml(version.hash)}</code></small>`;
  return `<li><a href="/privacy?version=${version.number}">Version ${version.number}</a>, published ${published}${material}${hash}</li>`;
}
