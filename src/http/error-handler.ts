/**
 * The one place errors become HTTP responses: every error body has the shape
 * `{ error: { code, message, problems? } }`, and nothing internal leaks out.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { httpStatus, VowError, type ErrorCode, type Problem } from '../errors.js';

export interface ErrorBody {
  error: { code: ErrorCode | 'internal'; message: string; problems?: Problem[] };
}

/**
 * Fastify's own client-error codes, mapped onto ours with fixed messages: the parser's
 * messages quote the body, and a body may hold personal data.
 */
const fastifyCodes: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', message: 'send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad_request', message: 'content-length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'bad_request', message: 'request body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'bad_request', message: 'request body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_TYPE: { code: 'unsupported_media_type', message: 'content-type is malformed' },
};

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof VowError) {
      const problems = error.problems.length > 0 ? { problems: [...error.problems] } : {};
      return reply.code(httpStatus[error.code]).send({ error: { code: error.code, message: error.message, ...problems } });
    }
    // Zod's issues, and the hostile-bytes rule's (safe-input.ts), which come in the same shape.
    const validation = hasZodFastifySchemaValidationErrors(error) || error.code === 'FST_ERR_VALIDATION' ? error.validation : undefined;
    if (validation && validation.length > 0) {
      const part = error.validationContext ?? 'request';
      const problems = validation.map((issue) => ({
        path: [part, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
        message: issue.message ?? 'is invalid',
      }));
      return reply.code(400).send({ error: { code: 'bad_request', message: `invalid ${part}`, problems } });
    }
    const known = error.code ? fastifyCodes[error.code] : undefined;
    if (known) {
      return reply.code(httpStatus[known.code]).send({ error: known });
    }
    if (error.statusCode === 429) {
      return reply.code(429).send({ error: { code: 'rate_limited', message: 'too many requests; try again later' } });
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: { code: 'bad_request', message: 'malformed request' } });
    }
    request.log.error({ err: { type: error.name, code: error.code, stack: error.stack } }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` } }),
  );
}
