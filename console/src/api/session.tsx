/**
 * Who is signed in. The session itself is the HttpOnly cookie; this holds what the console
 * may know of it: the account, its role's permissions and the CSRF token for changes.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { answer, api, ApiError, holdCsrfToken } from './client';
import type { components } from '../../generated/api';

type SessionAnswer = Awaited<ReturnType<typeof readSession>>;
export type Permission = NonNullable<SessionAnswer>['permissions'][number];
export type Session = NonNullable<SessionAnswer> & { may(permission: Permission): boolean };
export type Schemas = components['schemas'];

async function readSession() {
  try {
    const session = await answer(api.GET('/v1/session'));
    holdCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      holdCsrfToken(undefined);
      return null;
    }
    throw error;
  }
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSessionQuery() {
  return useQuery({ queryKey: ['session'], queryFn: readSession, staleTime: 60_000 });
}

/** The signed-in person; only inside the signed-in part of the console. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

export function SessionProvider({ session, children }: { session: NonNullable<SessionAnswer>; children: ReactNode }) {
  const value: Session = { ...session, may: (permission) => session.permissions.includes(permission) };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** Signs in; the session query then reads who it is. */
export function useSignIn() {
  const queries = useQueryClient();
  return async (body: { email: string; password: string; code?: string }) => {
    const opened = await answer(api.POST('/v1/session', { body }));
    holdCsrfToken(opened.csrfToken);
    await queries.invalidateQueries({ queryKey: ['session'] });
  };
}

/** Signs out: the server ends the session and clears its cookie; nothing read stays cached. */
export function useSignOut() {
  const queries = useQueryClient();
  return async () => {
    await answer(api.DELETE('/v1/session'));
    holdCsrfToken(undefined);
    queries.removeQueries({ predicate: (query) => query.queryKey[0] !== 'session' });
    queries.setQueryData(['session'], null);
  };
}
