/**
 * `<JanuaProvider>`: one `Janua` client for the tree, and the sign-in state every hook and
 * component reads. The state follows the client's token storage: the provider wraps the storage
 * it gives the client, so a sign-in, a background refresh, an organization switch or a refused
 * refresh (which signs the user out) all re-render the tree. Given a ready `client`, the provider
 * cannot observe its storage and re-reads it after each action it performs instead.
 */

import {
  Janua,
  MemoryTokenStorage,
  type components,
  type Tokens,
  type TokenStorage,
} from "@janua/sdk";
import { createContext, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

import { decodeClaims, type JanuaClaims } from "./claims.js";
import { isAuthError, mfaStateOf, type MfaState } from "./errors.js";

export type User = components["schemas"]["User"];
export type Organization = components["schemas"]["Organization"];
export type MfaChallengeMethod = components["schemas"]["MfaChallengeMethod"];

/** Where the refresh token lives: an HttpOnly cookie the page cannot read (default), or storage. */
export type TokenTransport = "cookie" | "body";

export const CSRF_COOKIE_NAME = "__Host-janua_csrf";
/** Refresh this long before the access token expires (as `@janua/sdk` does). */
const EXPIRY_SKEW_MS = 30_000;

export interface JanuaProviderProps {
  /** Where the Janua server answers, e.g. `https://id.example.com`; default: this page's origin. */
  baseUrl?: string;
  /** A ready client instead of `baseUrl` (its `tokenStorage` is then not observed; see above). */
  client?: Janua;
  /**
   * Where the client keeps the tokens. Default: memory. With the default `tokenTransport:
   * "cookie"` only the short-lived access token is kept there; the refresh token stays in the
   * server's HttpOnly cookie, and a reload signs back in from it.
   */
  tokenStorage?: TokenStorage;
  /** `"cookie"` (default) or `"body"` (the refresh token is kept in `tokenStorage`). */
  tokenTransport?: TokenTransport;
  /** How components go to `afterSignInUrl`, `signUpUrl`, ...: your router's `push`. Default: `location.assign`. */
  navigate?: (to: string) => void | Promise<void>;
  /** Names this device in the user's session list. */
  deviceLabel?: string;
  children?: ReactNode;
}

export interface SignInParams {
  email: string;
  password: string;
}

export interface SignUpParams {
  email: string;
  password: string;
  name?: string;
}

/** `signIn` either finishes, or needs a second factor: pass `mfa` to `<MfaChallenge/>` / `verifyMfa`. */
export type SignInResult = { status: "complete"; user: User } | { status: "needs_mfa"; mfa: MfaState };

export interface VerifyMfaParams {
  mfaToken: string;
  method: MfaChallengeMethod;
  code: string;
}

export interface MembershipsState {
  data: Organization[];
  isLoaded: boolean;
  isLoading: boolean;
  error: unknown;
}

/** Everything the hooks read; internal (use the hooks). */
export interface JanuaContextValue {
  janua: Janua;
  isLoaded: boolean;
  tokens: Tokens | null;
  claims: JanuaClaims | null;
  user: User | null;
  memberships: MembershipsState;
  tokenTransport: TokenTransport;
  deviceLabel: string | undefined;
  navigate: (to: string) => void | Promise<void>;
  signIn(params: SignInParams): Promise<SignInResult>;
  signUp(params: SignUpParams): Promise<User>;
  verifyMfa(params: VerifyMfaParams): Promise<User>;
  signOut(): Promise<void>;
  getToken(): Promise<string | null>;
  /** Adopt tokens obtained outside the namespaced methods (passkey sign-in). */
  acceptSignIn(user: User | null): Promise<void>;
  reloadUser(): Promise<User | null>;
  setUser(user: User): void;
  setActiveOrganization(organizationId: string | null): Promise<void>;
  loadMemberships(): Promise<Organization[]>;
  /** Re-read the client's token storage. */
  sync(): Promise<Tokens | null>;
}

export const JanuaContext = createContext<JanuaContextValue | null>(null);

/** Tells the provider whenever the client writes its token storage. */
class ObservedTokenStorage implements TokenStorage {
  listener: ((tokens: Tokens | null) => void) | null = null;
  constructor(readonly inner: TokenStorage) {}
  get(): Tokens | null | Promise<Tokens | null> {
    return this.inner.get();
  }
  async set(tokens: Tokens | null): Promise<void> {
    await this.inner.set(tokens);
    this.listener?.(tokens);
  }
}

function readCookie(name: string): string | undefined {
  if (typeof document === "undefined") return undefined;
  for (const part of document.cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function defaultBaseUrl(): string {
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  if (!origin || origin === "null") throw new Error("JanuaProvider: pass `baseUrl` (or `client`) outside a browser page");
  return origin;
}

function sameTokens(a: Tokens | null, b: Tokens | null): boolean {
  return a?.accessToken === b?.accessToken && a?.refreshToken === b?.refreshToken && a?.cookie === b?.cookie;
}

const NO_MEMBERSHIPS: MembershipsState = { data: [], isLoaded: false, isLoading: false, error: null };

export function JanuaProvider(props: JanuaProviderProps): ReactNode {
  const { children, tokenTransport = "cookie", deviceLabel } = props;
  const navigateProp = props.navigate;

  // One client for the provider's lifetime (props read once, like a router's history).
  const [{ janua, observed }] = useState(() => {
    if (props.client) return { janua: props.client, observed: null };
    const storage = new ObservedTokenStorage(props.tokenStorage ?? new MemoryTokenStorage());
    const client = new Janua({
      baseUrl: props.baseUrl ?? defaultBaseUrl(),
      tokenStorage: storage,
      // Cookie transport: send and accept the refresh cookie even when the API is on another origin.
      ...(tokenTransport === "cookie" ? { credentials: "include" as const } : {}),
    });
    return { janua: client, observed: storage };
  });

  const [isLoaded, setLoaded] = useState(false);
  const [tokens, setTokensState] = useState<Tokens | null>(null);
  const [user, setUserState] = useState<User | null>(null);
  const [memberships, setMemberships] = useState<MembershipsState>(NO_MEMBERSHIPS);
  const userRef = useRef<User | null>(null);
  const membershipsRequest = useRef<Promise<Organization[]> | null>(null);

  const applyTokens = useCallback((next: Tokens | null) => {
    setTokensState((prev) => (sameTokens(prev, next) ? prev : next));
    if (next === null) {
      userRef.current = null;
      setUserState(null);
      setMemberships(NO_MEMBERSHIPS);
    }
  }, []);

  const setUser = useCallback((next: User | null) => {
    userRef.current = next;
    setUserState(next);
  }, []);

  useEffect(() => {
    if (!observed) return;
    observed.listener = applyTokens;
    return () => {
      observed.listener = null;
    };
  }, [observed, applyTokens]);

  const sync = useCallback(async () => {
    const current = await janua.getTokens();
    applyTokens(current);
    return current;
  }, [janua, applyTokens]);

  const reloadUser = useCallback(async () => {
    try {
      const me = await janua.auth.me();
      setUser(me);
      return me;
    } catch (error) {
      if (isAuthError(error)) {
        await janua.setTokens(null);
        await sync();
        return null;
      }
      throw error;
    }
  }, [janua, setUser, sync]);

  // Start-up: restore a sign-in from storage, or (cookie transport) from the refresh cookie, whose
  // readable CSRF twin says it exists.
  const booted = useRef(false);
  useEffect(() => {
    if (booted.current) return;
    booted.current = true;
    void (async () => {
      try {
        let current = await janua.getTokens();
        if (current === null && tokenTransport === "cookie" && readCookie(CSRF_COOKIE_NAME) !== undefined) {
          // An empty, expired access token: the first call refreshes through the cookie.
          await janua.setTokens({ accessToken: "", cookie: true, expiresAt: 0 });
          current = await janua.getTokens();
        }
        if (current !== null) await reloadUser();
        await sync();
      } catch {
        // The server is unreachable: start signed out rather than hang.
      } finally {
        setLoaded(true);
      }
    })();
  }, [janua, tokenTransport, reloadUser, sync]);

  const claims = useMemo(() => decodeClaims(tokens?.accessToken), [tokens]);

  // Another user's tokens (or none loaded yet): fetch the profile.
  useEffect(() => {
    if (!isLoaded || claims === null) return;
    if (userRef.current?.id === claims.sub) return;
    void reloadUser().catch(() => undefined);
  }, [isLoaded, claims, reloadUser]);

  const transportFields = useMemo(
    () => ({ token_transport: tokenTransport === "cookie" ? ("cookie" as const) : ("body" as const), ...(deviceLabel ? { device_label: deviceLabel } : {}) }),
    [tokenTransport, deviceLabel],
  );

  const signIn = useCallback(
    async ({ email, password }: SignInParams): Promise<SignInResult> => {
      try {
        const answer = await janua.auth.login({ email, password, ...transportFields });
        setUser(answer.user);
        await sync();
        return { status: "complete", user: answer.user };
      } catch (error) {
        const mfa = mfaStateOf(error);
        if (mfa) return { status: "needs_mfa", mfa };
        throw error;
      }
    },
    [janua, transportFields, setUser, sync],
  );

  const signUp = useCallback(
    async ({ email, password, name }: SignUpParams): Promise<User> => {
      const answer = await janua.auth.register({ email, password, ...(name ? { name } : {}), ...transportFields });
      setUser(answer.user);
      await sync();
      return answer.user;
    },
    [janua, transportFields, setUser, sync],
  );

  const verifyMfa = useCallback(
    async ({ mfaToken, method, code }: VerifyMfaParams): Promise<User> => {
      const answer = (await janua.mfa.verifyChallenge({ mfa_token: mfaToken, method, code })) as { user?: User };
      await sync();
      const me = answer.user ?? (await reloadUser());
      if (!me) throw new Error("the sign-in did not complete");
      setUser(me);
      return me;
    },
    [janua, reloadUser, setUser, sync],
  );

  const acceptSignIn = useCallback(
    async (signedIn: User | null) => {
      if (signedIn) setUser(signedIn);
      await sync();
      if (!signedIn) await reloadUser();
    },
    [setUser, sync, reloadUser],
  );

  const signOut = useCallback(async () => {
    try {
      await janua.auth.logout();
    } catch {
      // Already signed out on the server, or unreachable: forget the sign-in here regardless.
    } finally {
      await janua.setTokens(null);
      await sync();
    }
  }, [janua, sync]);

  const getToken = useCallback(async (): Promise<string | null> => {
    let current = await janua.getTokens();
    if (current === null) return null;
    const stale = !current.accessToken || (current.expiresAt !== undefined && Date.now() >= current.expiresAt - EXPIRY_SKEW_MS);
    if (stale) {
      try {
        await janua.auth.refresh({});
      } catch {
        await sync();
        return null;
      }
      current = await sync();
    }
    return current?.accessToken || null;
  }, [janua, sync]);

  const loadMemberships = useCallback(async (): Promise<Organization[]> => {
    membershipsRequest.current ??= (async () => {
      setMemberships((m) => ({ ...m, isLoading: true, error: null }));
      try {
        const data = await janua.organizations.list({ limit: 100 }).toArray();
        setMemberships({ data, isLoaded: true, isLoading: false, error: null });
        return data;
      } catch (error) {
        setMemberships((m) => ({ ...m, isLoading: false, error }));
        throw error;
      } finally {
        membershipsRequest.current = null;
      }
    })();
    return membershipsRequest.current;
  }, [janua]);

  const setActiveOrganization = useCallback(
    async (organizationId: string | null) => {
      await janua.organizations.switch({ organization_id: organizationId });
      await sync();
    },
    [janua, sync],
  );

  const navigate = useCallback(
    (to: string) => (navigateProp ? navigateProp(to) : (globalThis as { location?: Location }).location?.assign(to)),
    [navigateProp],
  );

  const value = useMemo<JanuaContextValue>(
    () => ({
      janua,
      isLoaded,
      tokens,
      claims,
      user,
      memberships,
      tokenTransport,
      deviceLabel,
      navigate,
      signIn,
      signUp,
      verifyMfa,
      signOut,
      getToken,
      acceptSignIn,
      reloadUser,
      setUser,
      setActiveOrganization,
      loadMemberships,
      sync,
    }),
    [janua, isLoaded, tokens, claims, user, memberships, tokenTransport, deviceLabel, navigate, signIn, signUp, verifyMfa, signOut, getToken, acceptSignIn, reloadUser, setUser, setActiveOrganization, loadMemberships, sync],
  );

  return <JanuaContext.Provider value={value}>{children}</JanuaContext.Provider>;
}
