/** The access export for staff answering a data subject's request: one zip with everything held. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import { auditActorOf } from '../auth/actor.js';
import { VowError } from '../errors.js';
import { exportSubject } from '../export/export-subject.js';
import { subjectIdPattern } from '../vault/ids.js';
import type { VaultContext } from '../vault/vault-context.js';
import { actorOf, type Auth } from './auth.js';

const SubjectParams = z.strictObject({ id: z.string().regex(subjectIdPattern, 'must be a subject id (sub_ followed by 22 characters)') });

/** An export holds every category at once, beyond any one purpose: only roles that answer requests may take it. */
export function mayExportSubject(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'privacy-officer';
}

export const exportRoutes: FastifyPluginAsyncZod<{ vault: VaultContext; auth: Auth }> = async (app, { vault, auth }) => {
  app.get(
    '/v1/subjects/:id/export',
    {
      onRequest: auth.requirePermission('subjects:read-data'),
      schema: {
        summary: 'Everything held about a subject, as a zip of JSON and CSV per part and a readable summary (right of access)',
        tags: ['requests'],
        params: SubjectParams,
        produces: ['application/zip'],
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      if (!mayExportSubject(actor)) throw new VowError('forbidden', `role ${actor.role} may not export a subject's data: an admin or privacy-officer key is needed`);
      const { zip } = await exportSubject(vault, { subjectId: request.params.id, actor: auditActorOf(actor) });
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="vow-export-${request.params.id}.zip"`)
        .header('cache-control', 'no-store')
        .send(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength));
    },
  );
};
