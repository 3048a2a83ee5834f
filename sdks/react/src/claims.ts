/**
 * The access token's claims, read for the UI only.
 *
 * SECURITY: `decodeClaims` does NOT verify the token's signature, issuer, audience or expiry. It
 * only reads the payload so the interface can show or hide things (`<Protect/>`, the active
 * organization, the session id). A browser cannot be trusted anyway: every decision that matters
 * is made again by the server, which checks the token on each request (or by your own backend
 * with `verifyToken` from `@janua/sdk/server`). Never use these claims to authorize anything
 * outside the browser.
 */

/** The claims Janua puts in its access tokens (see the `TokenPair` schema and docs/organizations.md). */
export interface JanuaClaims {
  /** The user's id. */
  sub: string;
  /** The session's id. */
  sid?: string;
  iss?: string;
  aud?: string | string[];
  exp?: number;
  iat?: number;
  jti?: string;
  /** How the user authenticated (RFC 8176): `pwd`, `otp`, `mfa`, `hwk`, `swk`, ... */
  amr?: string[];
  /** When the user last authenticated, in seconds since the epoch. */
  auth_time?: number;
  /** The session's active organization, when one is chosen (`switchOrganization`). */
  org_id?: string | null;
  /** The user's role in the active organization. */
  org_role?: string | null;
  /** The permissions of that role (`resource:action`, e.g. `members:manage`). */
  org_permissions?: string[] | null;
  [claim: string]: unknown;
}

function base64UrlToText(segment: string): string {
  const base64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The payload of a JWT, unverified (see the note above); null when it is not a readable JWT. */
export function decodeClaims(token: string | null | undefined): JanuaClaims | null {
  const payload = token?.split(".")[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(base64UrlToText(payload)) as unknown;
    if (claims === null || typeof claims !== "object" || typeof (claims as { sub?: unknown }).sub !== "string") return null;
    return claims as JanuaClaims;
  } catch {
    return null;
  }
}

/** What `has()` and `<Protect/>` check: a permission and/or a role in the active organization. */
export interface Authorization {
  permission?: string;
  role?: string;
}

/** True when the active organization grants `permission` (and the user has `role`, if given). */
export function hasAuthorization(claims: JanuaClaims | null, check: Authorization): boolean {
  if (claims === null || !claims.org_id) return false;
  if (check.permission !== undefined && !(claims.org_permissions ?? []).includes(check.permission)) return false;
  if (check.role !== undefined && claims.org_role !== check.role) return false;
  return check.permission !== undefined || check.role !== undefined;
}
