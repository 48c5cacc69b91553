/** Who is signed in. The CSRF token lives in memory only; after a reload /me hands it back. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken, setUnauthorizedHandler, type Me } from './api';
import { can as roleCan, type Permission } from './permissions';
import { selectTenant } from './tenant';

interface Session {
  me: Me | null;
  checking: boolean;
  /** Why the user is on the login page (session expired...). */
  notice: string | undefined;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  can: (p: Permission) => boolean;
}

const Ctx = createContext<Session | null>(null);

/**
 * Whether this browser was signed in when last seen: a hint only (the session cookie is not
 * readable by scripts), so a first load can fetch the page in view beside "who am I" without a
 * signed-out visitor's login form waiting behind code it will not run.
 */
const HINT = 'vigil.signedIn';
export function probablySignedIn(): boolean {
  try {
    return localStorage.getItem(HINT) === '1';
  } catch {
    return false;
  }
}
function rememberSignedIn(yes: boolean): void {
  try {
    if (yes) localStorage.setItem(HINT, '1');
    else localStorage.removeItem(HINT);
  } catch {
    // private mode: no hint, pages load after the session check
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(true);
  const [notice, setNotice] = useState<string>();
  const qc = useQueryClient();

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(undefined);
      setMe(null);
      setNotice('Your session ended. Sign in again.');
      qc.clear();
    });
    api
      .me()
      .then((m) => {
        setCsrfToken(m.csrfToken);
        setMe(m);
      })
      .catch((e: unknown) => {
        if (!(e instanceof ApiError && e.status === 401))
          setNotice(e instanceof Error ? e.message : String(e));
      })
      .finally(() => setChecking(false));
    return () => setUnauthorizedHandler(undefined);
  }, [qc]);

  const signIn = useCallback(async (username: string, password: string) => {
    const r = await api.login(username, password);
    setCsrfToken(r.csrfToken);
    setNotice(undefined);
    setMe({
      kind: 'user',
      name: r.user.username,
      role: r.user.role,
      tenants: r.user.tenants,
      csrfToken: r.csrfToken,
    });
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setCsrfToken(undefined);
      setMe(null);
      // The next user starts in all their tenants, not in this one's choice.
      selectTenant(undefined);
      qc.clear();
    }
  }, [qc]);

  useEffect(() => {
    if (!checking) rememberSignedIn(me !== null);
  }, [me, checking]);

  const value = useMemo<Session>(
    () => ({ me, checking, notice, signIn, signOut, can: (p) => roleCan(me?.role, p) }),
    [me, checking, notice, signIn, signOut],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
