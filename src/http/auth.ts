/**
 * API-key and session authentication and role checks for routes. `createAuth(db)` is built once in
 * the server and its `requirePermission(...)` used as a route's `onRequest` or
 * `preHandler` hook:
 *
 *   const auth = createAuth(store.db);
 *   app.get('/v1/audit', { onRequest: auth.requirePermission('audit:read') }, handler);
 *
 * The handler then finds the caller in `request.actor`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { auditActorOf, type Actor } from '../auth/actor.js';
import { authenticate } from '../auth/api-key.js';
import { sessionActor } from '../auth/staff-sessions.js';
import { can, type Permission } from '../auth/role.js';
import { VowError } from '../errors.js';
import type { Database } from '../store/schema.js';
import { createFailedAuthLimit, type FailedAuthLimit } from './failed-auth-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated API key, set by `requirePermission`. */
    actor?: Actor;
  }
}

export type Authenticator = (secret: string) => Promise<Actor | undefined>;

export interface Auth {
  /** A hook that admits a request only with a valid key whose role has `permission`. */
  requirePermission(permission: Permission): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

/** The caller a `requirePermission` hook admitted; a route without such a hook has none. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new VowError('unauthorized', 'missing or invalid API key');
  return request.actor;
}

/** The caller as the audit log names it (`key:…`). */
export function auditActorOfRequest(request: FastifyRequest): string {
  return auditActorOf(actorOf(request));
}

/** The secret of an `Authorization: Bearer <secret>` header, or undefined. */
export function bearerSecret(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}

/** The cookie a signed-in person's browser sends: HttpOnly, SameSite=Strict, never readable by a script. */
export const SESSION_COOKIE = 'vow_session';
export const CSRF_HEADER = 'x-vow-csrf';

export function sessionTokenOf(request: FastifyRequest): string | undefined {
  // Undefined where no cookie parser is registered (a bare app in a test).
  const cookies = request.cookies as Partial<Record<string, string>> | undefined;
  const value = cookies?.[SESSION_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

export function csrfTokenOf(request: FastifyRequest): string | undefined {
  const value = request.headers[CSRF_HEADER];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Secure everywhere but plain HTTP to this machine (local development): behind a TLS proxy
 * not listed in VOW_TRUST_PROXY the request looks like HTTP, and the cookie must still
 * never travel in the clear.
 */
function wantsSecure(request: FastifyRequest): boolean {
  if (request.protocol === 'https') return true;
  const host = request.hostname.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host === '::1' || /^127\./.test(host));
}

/** Sets (or, with an empty token and no age, clears) the session cookie: HttpOnly, SameSite=Strict, Secure by `wantsSecure`. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, maxAge: number): void {
  void reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: wantsSecure(request), path: '/', maxAge });
}

/** Whether a method changes anything: those need the session's CSRF token. */
export const isChange = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

/** Auth over the store's API keys and staff sessions; tests may pass their own `authenticator` and limit. */
export function createAuth(
  db: Kysely<Database>,
  authenticator: Authenticator = (secret) => authenticate(db, secret),
  failures: FailedAuthLimit = createFailedAuthLimit(),
): Auth {
  return {
    requirePermission(permission) {
      return async (request, reply) => {
        const now = Date.now();
        if (failures.blocked(request.ip, now)) throw new VowError('rate_limited', 'too many failed authentications from this address; try again later');
        const secret = bearerSecret(request.headers.authorization);
        // A signed-in person's session cookie when there is no key; a change then needs its CSRF token.
        const session = secret === undefined ? sessionTokenOf(request) : undefined;
        const actor =
          secret !== undefined
            ? await authenticator(secret)
            : session !== undefined
              ? await sessionActor(db, session, { change: isChange(request.method), csrfToken: csrfTokenOf(request) })
              : undefined;
        if (!actor && session !== undefined) {
          // An ended session's cookie, which a console left open keeps sending: not a guess
          // (its token is 256 random bits), so not counted against the address; cleared.
          setSessionCookie(request, reply, '', 0);
          throw new VowError('unauthorized', 'the session ended: sign in again');
        }
        if (!actor) {
          failures.failed(request.ip, now);
          void reply.header('www-authenticate', 'Bearer');
          throw new VowError('unauthorized', 'missing or invalid API key');
        }
        if (!can(actor, permission)) throw new VowError('forbidden', `role ${actor.role} may not ${permission}`);
        request.actor = actor;
      };
    },
  };
}
