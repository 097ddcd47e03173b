import { buildPolicyDocument } from './build-policy-document.js';
import type { Declaration } from './declaration.js';
import type { PolicyVersion } from './policy-version.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';

export const renderFormats = ['md', 'html'] as const;
export type RenderFormat = (typeof renderFormats)[number];

/** Renders a declaration as the public policy, stamped with the version it was published as (if any). */
export function renderPolicy(declaration: Declaration, version: PolicyVersion | undefined, format: RenderFormat): string {
  const document = buildPolicyDocument(declaration, {
    version: version?.number ?? null,
    lastUpdated: version ? version.publishedAt.slice(0, 10) : null,
  });
  return format === 'md' ? renderMarkdown(document) : renderHtml(document, { versionsHref: '/privacy/versions' });
}
