/**
 * The console's only way to the server: the public HTTP API, through a client typed from
 * the API document (`generated/api.d.ts`, written by the build from `/openapi.json`). The
 * session travels in its HttpOnly cookie, which no script here can read; changes carry the
 * session's CSRF token, held in memory only.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../../generated/api';

/** The JSON body a route takes, from the API document. */
export type BodyOf<P extends keyof paths, M extends 'post' | 'put' | 'patch'> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

let csrfToken: string | undefined;

/** Kept from the sign-in or `GET /v1/session`; forgotten on sign-out. */
export function holdCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const sendsCsrfToken: Middleware = {
  onRequest({ request }) {
    if (csrfToken !== undefined && !['GET', 'HEAD'].includes(request.method)) request.headers.set('X-Vow-CSRF', csrfToken);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(sendsCsrfToken);

/** A refusal of the API, with its code and the message it gave (which names the problem). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; problems?: { path: string; message: string }[] };
}

/** A refusal as an `ApiError`, from its status and its JSON body (`{ error: { code, message, problems } }`). */
export function refusal(status: number, body: unknown): ApiError {
  const { error } = (body ?? {}) as ErrorBody;
  return new ApiError(status, error?.code ?? 'error', error?.message ?? `the server answered ${status}`, error?.problems ?? []);
}

/** The answer's data, or an `ApiError` carrying what the server said. */
export async function answer<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw refusal(response.status, error);
}
