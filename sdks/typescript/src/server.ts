/**
 * `@janua/sdk/server`: verify Janua access tokens in a service (Node 20, Deno, Bun, edge
 * runtimes: only Web Crypto and `fetch`, through the `jose` library).
 *
 *     import { verifyToken } from "@janua/sdk/server";
 *     const claims = await verifyToken(bearer, { issuer: "https://id.example.com", audience: "janua" });
 *
 * The signing keys come from the issuer's JWKS (`/.well-known/jwks.json`), fetched once and
 * cached per URL; a token with a `kid` the cache lacks makes one re-fetch (at most one per
 * `jwksCooldownMs`), so key rotation needs no restart. The signature algorithm is pinned (RS256
 * by default): `none` and the HMAC family are refused whatever the token's header says, so a
 * token "signed" with the public key as an HMAC secret cannot pass.
 */

import {
  createRemoteJWKSet,
  customFetch,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";

import { TokenError } from "./errors.js";

/** The claims of a Janua access token. */
export interface JanuaClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  /** The session (see `janua.sessions`). */
  sid: string;
  /** How the user authenticated (RFC 8176), e.g. `["pwd"]`, `["pwd", "otp"]`. */
  amr?: string[];
  /** When the user last actively authenticated (seconds since the epoch). */
  auth_time?: number;
  /** The active organization, when the session has one. */
  org_id?: string | null;
  org_role?: string | null;
  org_permissions?: string[];
}

export interface VerifyTokenOptions {
  /** The server's `iss` (its public base URL unless JWT_ISSUER says otherwise). */
  issuer: string;
  /** Expected `aud` (the server's JWT_AUDIENCE, `janua` by default); any of a list. */
  audience: string | string[];
  /** Default `${issuer}/.well-known/jwks.json`. */
  jwksUrl?: string;
  /** Accepted signature algorithms (default `["RS256"]`); `none` and `HS*` are refused. */
  algorithms?: string[];
  /** Accepted clock skew in seconds (default 0). */
  clockToleranceSec?: number;
  /** Check `exp`/`nbf` as of this instant instead of now (replays, tests). */
  currentDate?: Date;
  /** Least time between two JWKS fetches caused by unknown `kid`s (ms, default 30000). */
  jwksCooldownMs?: number;
  /** How long fetched keys are trusted before a routine re-fetch (ms, default 600000). */
  jwksCacheMaxAgeMs?: number;
  /** Replaces `fetch` for the JWKS download. */
  fetch?: typeof fetch;
}

/** Why `verifyToken` refused a token: `reason` is jose's code, e.g. `ERR_JWT_EXPIRED`. */
export class InvalidTokenError extends TokenError {
  readonly reason: string;
  constructor(message: string, reason: string, cause?: unknown) {
    super(message, { status: 401, code: "TOKEN_ERROR", detail: message, cause });
    this.reason = reason;
  }
}

const REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "jti", "sid"];
const keySets = new Map<string, JWTVerifyGetKey>();

function pinned(algorithms: string[] | undefined): string[] {
  const chosen = algorithms ?? ["RS256"];
  const refused = chosen.filter((alg) => alg.toLowerCase() === "none" || /^HS/i.test(alg));
  if (refused.length > 0 || chosen.length === 0) {
    throw new TypeError(`verifyToken: algorithms must be asymmetric signatures; refusing ${refused.join(", ") || "an empty list"}`);
  }
  return chosen;
}

function keySet(options: VerifyTokenOptions): JWTVerifyGetKey {
  const url = options.jwksUrl ?? `${options.issuer.replace(/\/+$/, "")}/.well-known/jwks.json`;
  const cooldown = options.jwksCooldownMs ?? 30_000;
  const maxAge = options.jwksCacheMaxAgeMs ?? 600_000;
  const key = `${url} ${cooldown} ${maxAge}`;
  let set = options.fetch ? undefined : keySets.get(key);
  if (set === undefined) {
    set = createRemoteJWKSet(new URL(url), {
      cooldownDuration: cooldown,
      cacheMaxAge: maxAge,
      ...(options.fetch ? { [customFetch]: options.fetch } : {}),
    });
    if (!options.fetch) keySets.set(key, set);
  }
  return set;
}

/**
 * Returns a verifier bound to one JWKS cache: `const verify = createTokenVerifier({...});
 * await verify(token)`. Prefer it when passing a custom `fetch` (each call of `verifyToken`
 * with one gets a fresh cache).
 */
export function createTokenVerifier(options: VerifyTokenOptions): (token: string) => Promise<JanuaClaims> {
  const algorithms = pinned(options.algorithms);
  const keys = keySet(options);
  return async (token: string): Promise<JanuaClaims> => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms,
        requiredClaims: REQUIRED_CLAIMS,
        clockTolerance: options.clockToleranceSec ?? 0,
        ...(options.currentDate ? { currentDate: options.currentDate } : {}),
      });
      return payload as JanuaClaims;
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) {
        throw new InvalidTokenError(`invalid access token: ${error.message}`, error.code, error);
      }
      throw error;
    }
  };
}

/**
 * The verified claims of a Janua access token; throws `InvalidTokenError` (a `TokenError`,
 * status 401) when the signature, `iss`, `aud`, `exp` or algorithm is wrong.
 */
export function verifyToken(token: string, options: VerifyTokenOptions): Promise<JanuaClaims> {
  return createTokenVerifier(options)(token);
}
