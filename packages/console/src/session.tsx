/**
 * The signed-in session (GET /console/api/session): who the viewer is, their organization and
 * role, whether they are the operator, and the CSRF token every state change must carry.
 * `undefined` while loading, `null` when signed out. The check asks with `optional=true`, so
 * signed out is a 204, not a 401 the browser would log as a failed request on every visit. It is
 * read again when an API answer says it changed (signed out elsewhere, removed from the
 * organization), so the console shows sign-in or the no-organization page, not the API's error.
 */
import { createContext, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, getOptional, onSessionChanged, setCsrfToken } from './lib/api';
import { useProvided } from './lib/provided';

export interface Session {
  /**
   * `role`: the organization role (anything but owner manages nothing in the organization and sees no
   * billing or limits, but uses the API with keys of its own); null for an operator who belongs to no organization.
   */
  user: { id: string; email: string; name: string; role: 'owner' | 'reader' | null; totp_enabled: boolean };
  organization: { id: string; name: string } | null;
  operator: boolean;
  csrf_token: string;
}

interface SessionState {
  session: Session | null | undefined;
  /** Takes the session a sign-in, setup or invite acceptance answered with. */
  signedIn(s: Session): void;
  signOut(everywhere?: boolean): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    let reading = false;
    const read = () => {
      // One read at a time: every section of a page may report the same 401 at once.
      if (reading) return;
      reading = true;
      getOptional<Session>('console/api/session')
        .then(
          (s) => {
            if (!live) return;
            if (s) setCsrfToken(s.csrf_token);
            // The same session again (an operator's page asked for an organization's data) keeps the object, so nothing re-renders.
            setSession((old) => (old && s && JSON.stringify(old) === JSON.stringify(s) ? old : s));
          },
          (e: unknown) => {
            if (!live) return;
            // The gateway could not say (unreachable, failing): the sign-in page, and the reason logged.
            console.error(e);
            setSession(null);
          },
        )
        .finally(() => {
          reading = false;
        });
    };
    read();
    onSessionChanged(read);
    return () => {
      live = false;
      onSessionChanged(undefined);
    };
  }, []);
  const signedIn = useCallback((s: Session) => {
    setCsrfToken(s.csrf_token);
    setSession(s);
  }, []);
  const signOut = useCallback(async (everywhere = false) => {
    // Signed out locally even if the server cannot be reached: the cookie is HTTP-only and expires.
    await (everywhere ? api('POST', 'console/api/session/revoke_all') : api('DELETE', 'console/api/session')).catch(() => undefined);
    setCsrfToken(undefined);
    setSession(null);
  }, []);
  const value = useMemo(() => ({ session, signedIn, signOut }), [session, signedIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  return useProvided(SessionContext, 'SessionProvider');
}

/** The session of a page that only renders signed in (the shell guarantees it). */
export function useSignedIn(): Session {
  const { session } = useSession();
  if (!session) throw new Error('useSignedIn while signed out');
  return session;
}
