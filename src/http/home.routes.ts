/**
 * `GET /`: where a person who just started Vow finds everything it serves — the policy
 * page, the console, the demo site, the API document and the health check. Names nothing about any
 * subject, so it is the same for everyone.
 */
import type { FastifyPluginAsync } from 'fastify';
import { escapeHtml } from '../policy/escape-html.js';
import { renderHtmlPage } from '../policy/render-html-page.js';

/** What `vow serve` serves, with what each is: shown on `/` and printed at the start. */
export const servedPlaces: readonly { path: string; name: string; what: string }[] = [
  { path: '/privacy', name: 'The privacy policy', what: 'the public page, generated from the published declaration, with the rights forms' },
  { path: '/console/', name: 'The console', what: 'privacy operations in the browser for staff: requests, subjects, policy, breaches, audit' },
  { path: '/demo/', name: 'The demo site', what: 'the browser SDK at work: the consent banner, tags held until consent, the preference form' },
  { path: '/openapi.json', name: 'The API document', what: 'every route of the HTTP API, as OpenAPI 3' },
  { path: '/healthz', name: 'The health check', what: 'whether the server and its database answer' },
];

export const homeRoutes: FastifyPluginAsync<{ organization: () => string }> = async (app, { organization }) => {
  app.get('/', { schema: { summary: 'A page linking the policy, the console, the demo, the API document and the health check', tags: ['policy'] } }, async (_request, reply) => {
    const items = servedPlaces.map((place) => `<li><a href="${place.path}">${escapeHtml(place.name)}</a>: ${escapeHtml(place.what)}</li>`).join('\n');
    const main = `<p>This is Vow, keeping ${escapeHtml(organization())}’s privacy policy.</p>\n<ul>\n${items}\n</ul>`;
    return reply.type('text/html; charset=utf-8').send(renderHtmlPage({ title: 'Vow', header: '<header><h1>Vow</h1></header>', main }));
  });
};
