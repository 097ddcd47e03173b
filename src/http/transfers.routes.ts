/** International transfers of one subject's data, as recorded when the data crossed. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { VowError } from '../errors.js';
import { transfersOfSubject } from '../transfers/transfer.repository.js';
import { subjectIdPattern } from '../vault/ids.js';
import { findSubject } from '../vault/subject.repository.js';
import type { VaultContext } from '../vault/vault-context.js';
import type { Auth } from './auth.js';

const Params = z.strictObject({ id: z.string().regex(subjectIdPattern, 'must be a subject id (sub_ followed by 22 characters)') });
const TransfersResponse = z.object({
  subjectId: z.string(),
  region: z.string().nullable().describe('ISO 3166-1 alpha-2 country the subject was collected in, when known'),
  transfers: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      safeguard: z.string(),
      basis: z.string().describe('`collection`, or the id of the disclosure that carried the data'),
      at: z.string().describe('when the data first crossed on this basis'),
    }),
  ),
});

export const transfersRoutes: FastifyPluginAsyncZod<{ vault: VaultContext; auth: Auth }> = async (app, { vault, auth }) => {
  app.get(
    '/v1/subjects/:id/transfers',
    {
      onRequest: auth.requirePermission('transfers:read'),
      schema: { summary: "Where this subject's data crossed borders, under which safeguard, and why", tags: ['disclosures'], params: Params, response: { 200: TransfersResponse } },
    },
    async (request) => {
      const subject = await findSubject(vault.db, request.params.id);
      if (!subject) throw new VowError('not_found', `no subject ${request.params.id}`);
      const transfers = await transfersOfSubject(vault.db, subject.id);
      return {
        subjectId: subject.id,
        region: subject.region,
        transfers: transfers.map((t) => ({ from: t.from, to: t.to, safeguard: t.safeguard, basis: t.basis, at: t.firstAt })),
      };
    },
  );
};
