/**
 * The hooks, Clerk-style: `useAuth` (state + actions), `useUser`, `useSession`,
 * `useOrganization`, and `useJanua` for the client itself. `usePasskeys` is in passkeys.ts.
 */

import type { Janua, Tokens } from "@janua/sdk";
import { useCallback, useContext, useEffect, useMemo } from "react";

import { hasAuthorization, type Authorization, type JanuaClaims } from "./claims.js";
import {
  JanuaContext,
  type JanuaContextValue,
  type MembershipsState,
  type Organization,
  type SignInParams,
  type SignInResult,
  type SignUpParams,
  type User,
  type VerifyMfaParams,
} from "./provider.js";

/** The provider's state; throws outside `<JanuaProvider>`. */
export function useJanuaContext(): JanuaContextValue {
  const value = useContext(JanuaContext);
  if (value === null) throw new Error("Janua hooks and components must be used inside <JanuaProvider>");
  return value;
}

/** The `Janua` client of the provider, for any API call (`janua.sessions.list()`, ...). */
export function useJanua(): Janua {
  return useJanuaContext().janua;
}

export interface UseAuthResult {
  /** False until the provider has restored (or failed to restore) a sign-in. */
  isLoaded: boolean;
  isSignedIn: boolean;
  userId: string | null;
  sessionId: string | null;
  /** The session's active organization (`switchOrganization`), from the access token. */
  orgId: string | null;
  orgRole: string | null;
  orgPermissions: string[];
  /** Password sign-in; `{ status: "needs_mfa", mfa }` when a second factor is required. */
  signIn(params: SignInParams): Promise<SignInResult>;
  signUp(params: SignUpParams): Promise<User>;
  /** Finish a `needs_mfa` sign-in with a TOTP, SMS or recovery code. */
  verifyMfa(params: VerifyMfaParams): Promise<User>;
  signOut(): Promise<void>;
  /** A valid access token (refreshed first when due), or null when signed out. */
  getToken(): Promise<string | null>;
  /** UI check of the active organization's role or permission (see `<Protect/>`). */
  has(check: Authorization): boolean;
}

export function useAuth(): UseAuthResult {
  const ctx = useJanuaContext();
  const { claims, user, isLoaded } = ctx;
  const has = useCallback((check: Authorization) => hasAuthorization(claims, check), [claims]);
  return {
    isLoaded,
    isSignedIn: isLoaded && claims !== null && user !== null,
    userId: claims?.sub ?? null,
    sessionId: claims?.sid ?? null,
    orgId: claims?.org_id ?? null,
    orgRole: claims?.org_role ?? null,
    orgPermissions: claims?.org_permissions ?? [],
    signIn: ctx.signIn,
    signUp: ctx.signUp,
    verifyMfa: ctx.verifyMfa,
    signOut: ctx.signOut,
    getToken: ctx.getToken,
    has,
  };
}

export interface UseUserResult {
  isLoaded: boolean;
  isSignedIn: boolean;
  user: User | null;
  /** `PATCH /api/v1/auth/me`: name, locale, timezone, picture_url. */
  update(changes: { name?: string | null; locale?: string | null; timezone?: string | null; picture_url?: string | null }): Promise<User>;
  reload(): Promise<User | null>;
}

export function useUser(): UseUserResult {
  const ctx = useJanuaContext();
  const { janua, setUser } = ctx;
  const update = useCallback(
    async (changes: Parameters<UseUserResult["update"]>[0]) => {
      const updated = await janua.auth.updateMe(changes as Parameters<Janua["auth"]["updateMe"]>[0]);
      setUser(updated);
      return updated;
    },
    [janua, setUser],
  );
  return {
    isLoaded: ctx.isLoaded,
    isSignedIn: ctx.isLoaded && ctx.claims !== null && ctx.user !== null,
    user: ctx.user,
    update,
    reload: ctx.reloadUser,
  };
}

/** The current session, as the access token describes it. */
export interface Session {
  id: string;
  userId: string;
  /** How the user authenticated (RFC 8176 `amr`). */
  amr: string[];
  /** When the user authenticated. */
  authenticatedAt: Date | null;
  /** When the current access token expires (it is refreshed before). */
  accessTokenExpiresAt: Date | null;
  /** True when the refresh token lives in an HttpOnly cookie. */
  cookie: boolean;
  claims: JanuaClaims;
}

export interface UseSessionResult {
  isLoaded: boolean;
  isSignedIn: boolean;
  session: Session | null;
  getToken(): Promise<string | null>;
}

function sessionOf(claims: JanuaClaims | null, tokens: Tokens | null): Session | null {
  if (claims === null || !claims.sid) return null;
  return {
    id: claims.sid,
    userId: claims.sub,
    amr: claims.amr ?? [],
    authenticatedAt: typeof claims.auth_time === "number" ? new Date(claims.auth_time * 1000) : null,
    accessTokenExpiresAt: typeof claims.exp === "number" ? new Date(claims.exp * 1000) : null,
    cookie: Boolean(tokens?.cookie),
    claims,
  };
}

export function useSession(): UseSessionResult {
  const ctx = useJanuaContext();
  const session = useMemo(() => sessionOf(ctx.claims, ctx.tokens), [ctx.claims, ctx.tokens]);
  return {
    isLoaded: ctx.isLoaded,
    isSignedIn: ctx.isLoaded && ctx.claims !== null && ctx.user !== null,
    session,
    getToken: ctx.getToken,
  };
}

export interface UseOrganizationResult {
  isLoaded: boolean;
  /** The active organization, once the memberships are loaded; null for the personal account. */
  organization: Organization | null;
  /** The user's role there (from the access token). */
  role: string | null;
  permissions: string[];
  /** Every organization the user belongs to, with their role in each. */
  memberships: MembershipsState & { revalidate(): Promise<Organization[]> };
  /** Make `organizationId` the session's active organization (`null`: none); the token is re-issued. */
  setActive(organizationId: string | null): Promise<void>;
  /** Create an organization (the user becomes its owner) and refresh the list. */
  create(params: { name: string; slug: string }): Promise<Organization>;
}

export function useOrganization(): UseOrganizationResult {
  const ctx = useJanuaContext();
  const { janua, claims, memberships, loadMemberships, isLoaded, user } = ctx;
  const signedIn = isLoaded && claims !== null && user !== null;

  useEffect(() => {
    if (signedIn && !memberships.isLoaded && !memberships.isLoading && memberships.error === null) {
      void loadMemberships().catch(() => undefined);
    }
  }, [signedIn, memberships.isLoaded, memberships.isLoading, memberships.error, loadMemberships]);

  const orgId = claims?.org_id ?? null;
  const organization = useMemo(() => memberships.data.find((o) => o.id === orgId) ?? null, [memberships.data, orgId]);

  const create = useCallback(
    async (params: { name: string; slug: string }) => {
      const created = await janua.organizations.create(params);
      await loadMemberships().catch(() => undefined);
      return created;
    },
    [janua, loadMemberships],
  );

  const revalidate = loadMemberships;
  return {
    isLoaded: isLoaded && (!signedIn || memberships.isLoaded || memberships.error !== null),
    organization,
    role: claims?.org_role ?? null,
    permissions: claims?.org_permissions ?? [],
    memberships: { ...memberships, revalidate },
    setActive: ctx.setActiveOrganization,
    create,
  };
}
