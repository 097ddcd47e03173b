/**
 * The privacy page's forms: filing a request, entering its code, and reporting a
 * child's data. They post `application/x-www-form-urlencoded` (parsed strictly, in this
 * scope only) and are answered with a small HTML page, errors included.
 */
import type { FastifyError } from 'fastify';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { reportChild } from '../children/report-child.js';
import { httpStatus, VowError } from '../errors.js';
import { fileRequest } from '../requests/file-request.js';
import { requestIdPattern, requestKinds } from '../requests/request.js';
import { formAnswerPage } from '../requests/rights-forms-html.js';
import { resendCode, verifyRequest } from '../requests/verify-request.js';
import type { VaultContext } from '../vault/vault-context.js';
import { installFormParser } from './form-body.js';
import { askForDeviceModel } from './accept-client-hints.js';

export interface PrivacyFormsRouteOptions {
  vault: VaultContext;
  kickOutbox?: () => void;
}

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .transform((value) => value.trim())
    .optional()
    .transform((value) => (value === '' ? undefined : value));
const optionalEmail = optionalText(254).pipe(z.email({ error: 'is not an e-mail address' }).optional());

const RequestForm = z.strictObject({
  kind: z.enum(requestKinds, { error: 'choose what you would like' }),
  email: z.email({ error: 'is not an e-mail address' }).max(254),
  details: optionalText(5000),
  jurisdiction: optionalText(10).pipe(z.string().regex(/^(gdpr|ccpa|[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?)$/, 'must be a region such as FR or US-CA').optional()),
});
const RequestIdField = z.string().regex(requestIdPattern, 'is not a request reference');
const VerifyForm = z.strictObject({ request: RequestIdField, code: z.string().regex(/^\s*\d{6}\s*$/, 'must be the 6-digit code') });
const ResendForm = z.strictObject({ request: RequestIdField });
const ChildForm = z.strictObject({
  childEmail: optionalEmail,
  reporterEmail: optionalEmail,
  details: z.string().trim().min(1, 'say what we should know').max(5000),
});

const FORM_LIMIT = 16 * 1024;
const formLimit = { rateLimit: { max: 10, timeWindow: '1 minute' } };

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const [first] = problems;
  throw new VowError('bad_request', first ? `${first.path || 'form'}: ${first.message}` : 'the form is incomplete', problems);
}

export const privacyFormsRoutes: FastifyPluginAsync<PrivacyFormsRouteOptions> = async (app, { vault, kickOutbox }) => {
  askForDeviceModel(app);
  installFormParser(app);
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const vow = error instanceof VowError ? error : error.statusCode === 429 ? new VowError('rate_limited', 'too many requests; try again later') : undefined;
    const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    const unsupported = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
    if (!vow && !tooLarge && !unsupported) throw error;
    const status = vow ? httpStatus[vow.code] : tooLarge ? 413 : 415;
    const message = vow ? vow.message : tooLarge ? 'The form is too large.' : 'Send the form as the page does.';
    return reply.code(status).type('text/html; charset=utf-8').send(formAnswerPage({ title: 'We could not accept this', paragraphs: [message] }));
  });

  const html = 'text/html; charset=utf-8';

  app.post('/privacy/requests', { config: formLimit, bodyLimit: FORM_LIMIT, schema: { summary: 'The privacy page’s request form', tags: ['requests'] } }, async (request, reply) => {
    const form = parse(RequestForm, request.body);
    const filed = await fileRequest(vault, {
      kind: form.kind,
      email: form.email,
      ...(form.details !== undefined ? { details: form.details } : {}),
      ...(form.jurisdiction !== undefined ? { jurisdiction: form.jurisdiction } : {}),
      actor: 'public',
    });
    kickOutbox?.();
    const page =
      filed.status === 'completed'
        ? formAnswerPage({ title: 'Done', paragraphs: [`Your request (reference ${filed.id}) took effect. A confirmation was sent to the address you gave.`] })
        : formAnswerPage({
            title: 'Check your e-mail',
            paragraphs: [`We received your request (reference ${filed.id}) and sent a code to the address you gave. Enter it below to confirm the request is yours.`],
            verifyRequestId: filed.id,
          });
    return reply.code(202).type(html).send(page);
  });

  /** The code form again, its error beside the field, and a way to a new code: a wrong code never leads nowhere. */
  const codeAgain = (requestId: string, error: VowError) =>
    formAnswerPage({
      title: 'Check the code',
      paragraphs: [`Enter the code we sent for your request (reference ${requestId}), or ask for a new one.`],
      verifyRequestId: requestId,
      codeError: error.message,
      resend: true,
    });
  const codeStatus = (error: VowError) => httpStatus[error.code];
  // A refusal that another code can mend (a wrong, mistyped or expired code, too many tries) answers with the form.
  const mendable = (error: unknown): error is VowError => error instanceof VowError && ['bad_request', 'expired', 'rate_limited'].includes(error.code);

  app.post('/privacy/requests/verify', { config: formLimit, bodyLimit: 1024, schema: { summary: 'The privacy page’s code form', tags: ['requests'] } }, async (request, reply) => {
    const form = VerifyForm.safeParse(request.body ?? {});
    const requestId = form.success ? form.data.request : RequestIdField.safeParse((request.body as { request?: unknown } | undefined)?.request).data;
    if (!form.success) {
      const refusal = new VowError('bad_request', 'The code is the 6 digits in the e-mail we sent.');
      if (requestId === undefined) throw refusal;
      return reply.code(codeStatus(refusal)).type(html).send(codeAgain(requestId, refusal));
    }
    try {
      await verifyRequest(vault, { requestId: form.data.request, code: form.data.code });
    } catch (error) {
      if (!mendable(error)) throw error;
      return reply.code(codeStatus(error)).type(html).send(codeAgain(form.data.request, error));
    }
    return reply.type(html).send(formAnswerPage({ title: 'Confirmed', paragraphs: [`Your request (reference ${form.data.request}) is confirmed. We will answer by e-mail.`] }));
  });

  app.post('/privacy/requests/resend', { config: formLimit, bodyLimit: 1024, schema: { summary: 'The privacy page’s button for a new code', tags: ['requests'] } }, async (request, reply) => {
    const form = parse(ResendForm, request.body);
    try {
      await resendCode(vault, { requestId: form.request });
    } catch (error) {
      if (!mendable(error)) throw error;
      return reply.code(codeStatus(error)).type(html).send(codeAgain(form.request, error));
    }
    kickOutbox?.();
    return reply.code(202).type(html).send(
      formAnswerPage({ title: 'Check your e-mail', paragraphs: [`We sent a new code for your request (reference ${form.request}). Enter it below.`], verifyRequestId: form.request }),
    );
  });

  app.post('/privacy/reports/child', { config: formLimit, bodyLimit: FORM_LIMIT, schema: { summary: 'The privacy page’s form to report a child’s data', tags: ['requests'] } }, async (request, reply) => {
    const form = parse(ChildForm, request.body);
    await reportChild(vault, {
      details: form.details,
      ...(form.childEmail !== undefined ? { childEmail: form.childEmail } : {}),
      ...(form.reporterEmail !== undefined ? { reporterEmail: form.reporterEmail } : {}),
    });
    kickOutbox?.();
    return reply.code(202).type(html).send(formAnswerPage({ title: 'Thank you', paragraphs: ['We received your report and will review it promptly.'] }));
  });
};
