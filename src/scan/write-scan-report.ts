/**
 * A scan's report, for a build to read (`report.json`) and for a person (`report.html`,
 * with a screenshot of the start page in each pass). Every value from the site is escaped:
 * a hostile site must not script the report that judges it.
 */
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { escapeHtml } from '../policy/escape-html.js';
import type { DriftReport } from './find-site-drift.js';
import type { SiteObservation } from './observe-site.js';

export interface ScanReport extends DriftReport {
  start: string;
  scannedAt: string;
  passes: SiteObservation['passes'];
}

const passTitles: Readonly<Record<string, string>> = {
  'before-choice': 'Before any choice',
  'after-reject': 'After “reject all”',
  'after-accept': 'After “accept all”',
  gpc: '“Accept all” with Global Privacy Control on',
};

export async function writeScanReport(out: string, report: ScanReport): Promise<{ json: string; html: string }> {
  const json = join(out, 'report.json');
  const html = join(out, 'report.html');
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o644 });
  await writeFile(html, renderReport(report), { mode: 0o644 });
  return { json, html };
}

const cell = (value: string | number | undefined) => `<td>${escapeHtml(String(value ?? ''))}</td>`;

function renderReport(report: ScanReport): string {
  const verdict = report.failed ? 'Drift found' : 'No drift';
  const driftRows = report.drift.map((item) => `<tr>${cell(item.kind)}${cell(item.subject)}${cell(item.pass)}${cell(item.page)}${cell(item.setBy)}${cell(item.message)}</tr>`).join('\n');
  const passes = report.passes
    .map((pass) => {
      const cookies = pass.cookies.map((cookie) => `<tr>${cell(cookie.name)}${cell(cookie.domain)}${cell(cookie.expires === -1 ? 'session' : new Date(cookie.expires * 1000).toISOString())}${cell(cookie.setBy)}${cell(cookie.page)}</tr>`).join('\n');
      const hosts = [...new Set(pass.thirdParty.map((request) => request.host))].sort();
      return [
        `<section><h2>${escapeHtml(passTitles[pass.pass] ?? pass.pass)}</h2>`,
        `<p>${pass.pages.length} pages.${pass.pass === 'before-choice' ? '' : pass.bannerOperated ? ' Vow’s banner was operated.' : ' No Vow banner was found to operate.'}</p>`,
        pass.screenshot ? `<img src="${escapeHtml(basename(pass.screenshot))}" alt="${escapeHtml(`The start page, ${passTitles[pass.pass] ?? pass.pass}`)}" width="640">` : '',
        '<table><caption>Cookies</caption><thead><tr><th scope="col">Name</th><th scope="col">Domain</th><th scope="col">Expires</th><th scope="col">Set by</th><th scope="col">First seen on</th></tr></thead>',
        `<tbody>${cookies}</tbody></table>`,
        `<p>Local storage: ${escapeHtml(pass.localStorage.join(', ') || 'none')}. Session storage: ${escapeHtml(pass.sessionStorage.join(', ') || 'none')}.</p>`,
        `<p>Other hosts called: ${escapeHtml(hosts.join(', ') || 'none')}.</p>`,
        '</section>',
      ].join('\n');
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(`Vow scan: ${verdict}`)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #c4c4c4;padding:.3rem .5rem;text-align:left;vertical-align:top}caption{text-align:left;font-weight:600}img{border:1px solid #767676;max-width:100%;height:auto}</style></head>
<body>
<header><h1>${escapeHtml(verdict)}: ${escapeHtml(report.start)}</h1><p>Scanned ${escapeHtml(report.scannedAt)}.</p></header>
<main>
<section><h2>Drift</h2>
${report.drift.length === 0 ? '<p>None: the site does what the declaration says.</p>' : `<table><caption>What the site does that the declaration does not say, and the reverse</caption><thead><tr><th scope="col">Kind</th><th scope="col">What</th><th scope="col">Pass</th><th scope="col">Page</th><th scope="col">Set by</th><th scope="col">Finding</th></tr></thead><tbody>${driftRows}</tbody></table>`}
</section>
${passes}
</main>
</body>
</html>
`;
}
