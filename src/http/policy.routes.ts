/** The public policy page, its history, and the same as JSON. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { VowError } from '../errors.js';
import { diffDeclarations } from '../policy/diff-declarations.js';
import { findLatestVersion, findVersion, listVersions } from '../policy/policy-version.repository.js';
import { publicDeclaration } from '../policy/public-declaration.js';
import type { PolicyVersionWithContent } from '../policy/policy-version.js';
import { renderPolicy } from '../policy/render-policy.js';
import { renderVersionsHtml } from '../policy/render-versions-html.js';
import { withRightsForms } from '../requests/rights-forms-html.js';
import type { Database } from '../store/schema.js';
import { askForDeviceModel } from './accept-client-hints.js';

const VersionNumber = z.coerce.number().int().positive().max(2 ** 31 - 1);
const VersionQuery = z.strictObject({ version: VersionNumber.optional() });

const VersionSummary = z.object({
  number: z.number().int(),
  hash: z.string(),
  publishedAt: z.string(),
  material: z.boolean(),
});
const ErrorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), problems: z.array(z.object({ path: z.string(), message: z.string() })).optional() }),
});

export interface PolicyRoutesOptions {
  db: Kysely<Database>;
}

export const policyRoutes: FastifyPluginAsyncZod<PolicyRoutesOptions> = async (app, { db }) => {
  askForDeviceModel(app);
  // Versions never change once published: each is read, parsed and rendered once per process.
  // Only "which is the latest" is asked every time, since another process may publish.
  const versions = new Map<number, PolicyVersionWithContent>();
  const pages = new Map<number, string>();

  const versionOrLatest = async (number: number | undefined): Promise<PolicyVersionWithContent> => {
    const wanted = number ?? (await findLatestVersion(db))?.number;
    let version = wanted === undefined ? undefined : versions.get(wanted);
    if (wanted !== undefined && !version) {
      version = await findVersion(db, wanted);
      if (version) versions.set(wanted, version);
    }
    if (!version) {
      throw number === undefined
        ? new VowError('version_not_found', 'no policy has been published yet')
        : new VowError('version_not_found', `policy version ${number} does not exist`);
    }
    return version;
  };

  app.get(
    '/privacy',
    { schema: { summary: 'The privacy policy as an HTML page', tags: ['policy'], querystring: VersionQuery } },
    async (request, reply) => {
      const version = await versionOrLatest(request.query.version);
      let page = pages.get(version.number);
      if (page === undefined) {
        // The served page carries the request forms; `vow policy render` gives the policy alone.
        page = withRightsForms(renderPolicy(version.declaration, version, 'html'), version.declaration);
        pages.set(version.number, page);
      }
      return reply.type('text/html; charset=utf-8').send(page);
    },
  );

  app.get('/privacy/versions', { schema: { summary: 'The policy history as an HTML page', tags: ['policy'] } }, async (_request, reply) => {
    const versions = await listVersions(db);
    const latest = versions[0] && (await findVersion(db, versions[0].number));
    const organization = latest?.declaration.organization.name ?? 'Privacy policy';
    return reply.type('text/html; charset=utf-8').send(renderVersionsHtml(organization, versions));
  });

  app.get(
    '/v1/policy',
    {
      schema: {
        summary: 'A published version of the policy (the latest by default) with its declaration',
        tags: ['policy'],
        querystring: VersionQuery,
        response: { 200: VersionSummary.extend({ declaration: z.record(z.string(), z.unknown()) }), 404: ErrorResponse },
      },
    },
    async (request) => {
      const version = await versionOrLatest(request.query.version);
      return { ...version, declaration: publicDeclaration(version.declaration) };
    },
  );

  app.get(
    '/v1/policy/versions',
    { schema: { summary: 'Every published version, newest first', tags: ['policy'], response: { 200: z.object({ versions: z.array(VersionSummary) }) } } },
    async () => ({ versions: await listVersions(db) }),
  );

  app.get(
    '/v1/policy/diff',
    {
      schema: {
        summary: 'What changed between two published versions',
        tags: ['policy'],
        querystring: z.strictObject({ from: VersionNumber, to: VersionNumber }),
        response: {
          200: z.object({
            from: z.number(),
            to: z.number(),
            changes: z.array(z.object({ kind: z.enum(['added', 'removed', 'changed']), path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() })),
          }),
          404: ErrorResponse,
        },
      },
    },
    async (request) => {
      const [from, to] = await Promise.all([versionOrLatest(request.query.from), versionOrLatest(request.query.to)]);
      return { from: from.number, to: to.number, changes: diffDeclarations(publicDeclaration(from.declaration), publicDeclaration(to.declaration)) };
    },
  );
};
