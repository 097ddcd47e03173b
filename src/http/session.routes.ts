/**
 * Signing in to the console: a staff account's e-mail and password open a session whose
 * token travels only in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS); the
 * answer carries the CSRF token every change must send back (`X-Vow-CSRF`). No API key
 * is ever given to the browser. Failures are limited per address and audited.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { confirmTotp, csrfTokenFor, endSession, hasSecondFactor, SESSION_HOURS, startTotp, sessionActor, sessionsOf, signIn, type SessionActor } from '../auth/staff-sessions.js';
import { rolePermissions } from '../auth/role.js';
import { VowError } from '../errors.js';
import type { VaultContext } from '../vault/vault-context.js';
import { csrfTokenOf, isChange, sessionTokenOf, setSessionCookie } from './auth.js';
import { createFailedAuthLimit } from './failed-auth-limit.js';
import { OpenedSessionSchema, SessionSchema } from './staff-schemas.js';

const Code = z.string().regex(/^\d{6}$/, 'must be the six-digit code of the authenticator app');
const SignInBody = z.strictObject({ email: z.string().min(3).max(254), password: z.string().min(1).max(1024), code: Code.optional().describe('the second factor, for accounts that have one') });
const SessionParams = z.strictObject({ id: z.string().regex(/^ses_[A-Za-z0-9_-]{22}$/, 'must be a session id') });

export const sessionRoutes: FastifyPluginAsyncZod<{ vault: VaultContext }> = async (app, { vault }) => {
  const failures = createFailedAuthLimit();

  /** The caller's live session, or 401; a change needs its CSRF token. */
  const signedIn = async (request: FastifyRequest): Promise<SessionActor> => {
    const token = sessionTokenOf(request);
    const actor = token === undefined ? undefined : await sessionActor(vault.db, token, { change: isChange(request.method), csrfToken: csrfTokenOf(request) });
    if (!actor) throw new VowError('unauthorized', 'not signed in, or the session ended');
    return actor;
  };

  app.post(
    '/v1/session',
    { config: { rateLimit: { max: 20, timeWindow: '1 minute' } }, schema: { summary: 'Sign in with a staff account; sets the session cookie and returns the CSRF token', tags: ['staff'], body: SignInBody, response: { 201: OpenedSessionSchema } } },
    async (request, reply) => {
      const now = Date.now();
      if (failures.blocked(request.ip, now)) throw new VowError('rate_limited', 'too many failed sign-ins from this address; try again later');
      let opened;
      try {
        opened = await signIn(vault, request.body);
      } catch (error) {
        if (error instanceof VowError && error.code === 'unauthorized') failures.failed(request.ip, now);
        throw error;
      }
      setSessionCookie(request, reply, opened.token, SESSION_HOURS * 3600);
      return reply.code(201).send({ account: opened.account, csrfToken: opened.csrfToken, sessionId: opened.sessionId, expiresAt: opened.expiresAt });
    },
  );

  app.get('/v1/session', { schema: { summary: 'Who is signed in, their open sessions, and the CSRF token changes need', tags: ['staff'], response: { 200: SessionSchema } } }, async (request) => {
    const actor = await signedIn(request);
    const csrfToken = csrfTokenFor(sessionTokenOf(request) ?? '');
    return {
      accountId: actor.keyId,
      role: actor.role,
      permissions: [...rolePermissions[actor.role]],
      purposes: [...actor.purposes],
      sessionId: actor.sessionId,
      csrfToken,
      secondFactor: await hasSecondFactor(vault.db, actor.keyId),
      sessions: await sessionsOf(vault.db, actor.keyId),
    };
  });

  app.post(
    '/v1/session/totp',
    {
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        summary: 'Start adding a TOTP second factor (the password again): a new secret for the authenticator app, asked for once confirmed',
        tags: ['staff'],
        body: z.strictObject({ password: z.string().min(1).max(1024) }),
        response: { 200: z.object({ secret: z.string(), uri: z.string() }) },
      },
    },
    async (request) => {
      const actor = await signedIn(request);
      return startTotp(vault, { accountId: actor.keyId, password: request.body.password });
    },
  );

  app.post(
    '/v1/session/totp/confirm',
    { config: { rateLimit: { max: 10, timeWindow: '1 minute' } }, schema: { summary: 'Confirm the second factor with a code from it: sign-ins ask for one from now on, and the account’s other sessions end', tags: ['staff'], body: z.strictObject({ code: Code }) } },
    async (request, reply) => {
      const actor = await signedIn(request);
      await confirmTotp(vault, { accountId: actor.keyId, sessionId: actor.sessionId, code: request.body.code });
      return reply.code(204).send();
    },
  );

  app.delete('/v1/session', { schema: { summary: 'Sign out: the session ends and its cookie is cleared', tags: ['staff'] } }, async (request, reply) => {
    const actor = await signedIn(request);
    await endSession(vault.db, { sessionId: actor.sessionId, accountId: actor.keyId, how: 'signed-out' });
    setSessionCookie(request, reply, '', 0);
    return reply.code(204).send();
  });

  app.delete('/v1/sessions/:id', { schema: { summary: 'Revoke another of your sessions (a lost laptop)', tags: ['staff'], params: SessionParams } }, async (request, reply) => {
    const actor = await signedIn(request);
    await endSession(vault.db, { sessionId: request.params.id, accountId: actor.keyId, how: 'session-revoked' });
    return reply.code(204).send();
  });
};
