/** The records of processing as Markdown (to read), CSV (to file with an authority) and JSON (to process). */
import { stringify } from 'csv-stringify/sync';
import type { Ropa } from './ropa.js';

export const ropaFormats = ['md', 'csv', 'json'] as const;
export type RopaFormat = (typeof ropaFormats)[number];

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderRopa(ropa: Ropa, format: RopaFormat): string {
  if (format === 'json') return `${JSON.stringify(ropa, null, 2)}\n`;
  if (format === 'csv') return renderCsv(ropa);
  return renderMarkdown(ropa);
}

function renderMarkdown(ropa: Ropa): string {
  const lines = [
    `# Records of processing activities`,
    '',
    `Controller: ${ropa.controller.name} (${ropa.controller.contactEmail}). Policy version ${ropa.policyVersion ?? 'unpublished'}; generated ${ropa.generatedAt}.`,
    '',
  ];
  for (const activity of ropa.activities) {
    lines.push(`## ${activity.purpose}: ${activity.description}`, '');
    lines.push(`- Legal basis: ${activity.legalBasis}`);
    lines.push(`- Data subjects: ${activity.dataSubjects.join('; ') || 'none (no personal data)'}`);
    lines.push(`- Recipients: ${activity.recipients.map((r) => `${r.name} (${r.service ?? r.kind}; ${r.countries.join(', ')})`).join('; ') || 'none'}`);
    lines.push(`- Transfers: ${activity.transfers.map((t) => `${t.from} → ${t.to} under ${t.safeguard} (${t.recorded} recorded)`).join('; ') || 'none'}`, '');
    lines.push('| category | personal | retention | counted from | records held |', '| --- | --- | --- | --- | --- |');
    for (const category of activity.dataCategories) {
      lines.push(`| ${cell(category.name)} | ${category.personal ? 'yes' : 'no'} | ${category.retention} | ${category.retentionFrom} | ${category.records} |`);
    }
    lines.push('');
  }
  lines.push('## International transfers recorded', '');
  if (ropa.transfersRecorded.length === 0) lines.push('None recorded.', '');
  else {
    lines.push('| from | to | safeguard | at collection | in disclosures | subjects |', '| --- | --- | --- | --- | --- | --- |');
    for (const route of ropa.transfersRecorded) {
      lines.push(`| ${route.from} | ${route.to} | ${route.safeguard} | ${route.atCollection} | ${route.inDisclosures} | ${route.subjects} |`);
    }
    lines.push('');
  }
  lines.push('## Security measures', '', ...ropa.securityMeasures.map((measure) => `- ${measure}`), '');
  return lines.join('\n');
}

/** One row per purpose and data category, the flat shape spreadsheet templates of authorities use. */
function renderCsv(ropa: Ropa): string {
  const rows = ropa.activities.flatMap((activity) =>
    activity.dataCategories.map((category) => [
      ropa.controller.name,
      activity.purpose,
      activity.description,
      activity.legalBasis,
      activity.dataSubjects.join('; '),
      category.id,
      category.personal ? 'yes' : 'no',
      category.retention,
      category.retentionFrom,
      String(category.records),
      activity.recipients.map((r) => r.name).join('; '),
      activity.transfers.map((t) => `${t.from}->${t.to} (${t.safeguard}; ${t.recorded} recorded)`).join('; '),
      ropa.securityMeasures.join('; '),
    ]),
  );
  return stringify(rows, {
    header: true,
    columns: [
      'controller',
      'purpose',
      'description',
      'legal_basis',
      'data_subjects',
      'data_category',
      'personal',
      'retention',
      'retention_from',
      'records_held',
      'recipients',
      'transfers',
      'security_measures',
    ],
  });
}
