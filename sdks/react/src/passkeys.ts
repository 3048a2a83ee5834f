/**
 * `usePasskeys()`: list, register, rename and delete the user's passkeys, and sign in with one,
 * through the browser's WebAuthn API (`navigator.credentials`) and Janua's passkey operations:
 *
 *   POST   /api/v1/auth/passkey/register/options   creation options (signed in)
 *   POST   /api/v1/auth/passkey/register           { credential, name? } -> Passkey
 *   GET    /api/v1/auth/passkeys                   cursor list
 *   PATCH  /api/v1/auth/passkeys/{passkey_id}      { name }
 *   DELETE /api/v1/auth/passkeys/{passkey_id}
 *   POST   /api/v1/auth/passkey/login/options      { mfa_token? } -> request options + challenge_id
 *   POST   /api/v1/auth/passkey/login              { challenge_id, credential, mfa_token?, ... } -> AuthResponse
 *
 * Each call goes through the SDK (refresh, retries, typed errors, token storage) when
 * `@janua/sdk` wires that endpoint in its operation table, and otherwise straight to the path
 * with the same bearer token and error types, so this hook works while the SDK catches up.
 */

import { errorFromResponse, ROUTES, type Janua, type Tokens, type WiredOperationId } from "@janua/sdk";
import { useCallback, useEffect, useState } from "react";

import { useJanuaContext } from "./hooks.js";
import type { User } from "./provider.js";
import { credentialToJSON, creationOptionsFromJSON, isWebAuthnSupported, requestOptionsFromJSON } from "./webauthn.js";

export interface Passkey {
  id: string;
  name?: string | null;
  created_at?: string;
  last_used_at?: string | null;
  transports?: string[];
  backed_up?: boolean;
  device_type?: string;
  [field: string]: unknown;
}

type Json = Record<string, unknown>;

/** The SDK's operationId for an endpoint (`"POST /api/v1/auth/passkey/register"`), if it wires it. */
function wired(endpoint: string): WiredOperationId | undefined {
  for (const [id, route] of Object.entries(ROUTES) as [WiredOperationId, readonly [string, ...unknown[]]][]) {
    if (route[0] === endpoint) return id;
  }
  return undefined;
}

interface PasskeyApiDeps {
  janua: Janua;
  getToken(): Promise<string | null>;
}

/** One passkey call: through the SDK when it has the operation, else a direct request. */
export async function passkeyCall(
  { janua, getToken }: PasskeyApiDeps,
  endpoint: string,
  input: Json = {},
  opts: { auth?: boolean } = {},
): Promise<unknown> {
  const id = wired(endpoint);
  if (id !== undefined) {
    const call = janua.call as (operationId: WiredOperationId, input?: Json) => Promise<unknown>;
    return call.call(janua, id, input);
  }
  const space = endpoint.indexOf(" ");
  const method = endpoint.slice(0, space);
  const rest: Json = { ...input };
  const path = endpoint.slice(space + 1).replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = rest[name];
    delete rest[name];
    return encodeURIComponent(String(value));
  });
  const headers: Record<string, string> = { Accept: "application/json" };
  if (opts.auth !== false) {
    const token = await getToken();
    if (token) headers["Authorization"] = `Bearer ${token}`;
  }
  const hasBody = method !== "GET" && method !== "DELETE";
  let url = `${janua.baseUrl}${path}`;
  if (!hasBody) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(rest)) if (value !== undefined && value !== null) query.append(key, String(value));
    if (query.toString()) url += `?${query.toString()}`;
  } else {
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(url, {
    method,
    headers,
    credentials: "include",
    ...(hasBody ? { body: JSON.stringify(rest) } : {}),
  });
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!response.ok) throw errorFromResponse(response.status, response.headers, body);
  return body;
}

/** `{ challenge_id, options }`, `{ challenge_id, publicKey }` or the options with `challenge_id` beside them. */
function splitOptions(answer: Json): { challengeId: string | undefined; options: Json } {
  const { challenge_id, options, publicKey, ...rest } = answer;
  const inner = (options ?? publicKey ?? rest) as Json;
  return { challengeId: typeof challenge_id === "string" ? challenge_id : undefined, options: inner };
}

interface TokenPairLike {
  access_token: string;
  refresh_token?: string;
  csrf_token?: string;
  expires_in: number;
}

function tokensOf(pair: TokenPairLike): Tokens {
  const tokens: Tokens = { accessToken: pair.access_token, expiresAt: Date.now() + pair.expires_in * 1000 };
  if (pair.refresh_token) tokens.refreshToken = pair.refresh_token;
  else {
    tokens.cookie = true;
    if (pair.csrf_token) tokens.csrfToken = pair.csrf_token;
  }
  return tokens;
}

export interface UsePasskeysOptions {
  /** Load the list on mount when signed in (default true). */
  load?: boolean;
}

export interface UsePasskeysResult {
  /** WebAuthn is available here (a secure context with `PublicKeyCredential`). */
  isSupported: boolean;
  passkeys: Passkey[];
  isLoading: boolean;
  error: unknown;
  reload(): Promise<Passkey[]>;
  /** Create a passkey on this device (the browser asks the user) and register it. */
  register(name?: string): Promise<Passkey>;
  rename(passkeyId: string, name: string): Promise<Passkey>;
  remove(passkeyId: string): Promise<void>;
  /**
   * Sign in with a passkey: usernameless, or as the second factor of a password sign-in when
   * `mfaToken` (from `MFA_REQUIRED`) is given.
   */
  authenticate(params?: { mfaToken?: string }): Promise<User | null>;
}

export function usePasskeys(options: UsePasskeysOptions = {}): UsePasskeysResult {
  const ctx = useJanuaContext();
  const { janua, getToken, claims, user, tokenTransport, deviceLabel, acceptSignIn } = ctx;
  const signedIn = claims !== null && user !== null;
  const [passkeys, setPasskeys] = useState<Passkey[]>([]);
  const [isLoading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const deps = { janua, getToken };

  const reload = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const all: Passkey[] = [];
      let cursor: string | null | undefined;
      do {
        const page = (await passkeyCall(deps, "GET /api/v1/auth/passkeys", { limit: 100, ...(cursor ? { cursor } : {}) })) as {
          data: Passkey[];
          next_cursor?: string | null;
        };
        all.push(...page.data);
        cursor = page.next_cursor;
      } while (cursor);
      setPasskeys(all);
      return all;
    } catch (e) {
      setError(e);
      throw e;
    } finally {
      setLoading(false);
    }
  }, [janua, getToken]);

  const load = options.load ?? true;
  useEffect(() => {
    if (load && signedIn) void reload().catch(() => undefined);
  }, [load, signedIn, reload]);

  const register = useCallback(
    async (name?: string) => {
      const answer = (await passkeyCall(deps, "POST /api/v1/auth/passkey/register/options")) as Json;
      const { challengeId, options: json } = splitOptions(answer);
      const credential = (await navigator.credentials.create({ publicKey: creationOptionsFromJSON(json) })) as PublicKeyCredential | null;
      if (!credential) throw new Error("No passkey was created.");
      const created = (await passkeyCall(deps, "POST /api/v1/auth/passkey/register", {
        credential: credentialToJSON(credential),
        ...(challengeId ? { challenge_id: challengeId } : {}),
        ...(name ? { name } : {}),
      })) as Passkey;
      setPasskeys((list) => [created, ...list.filter((p) => p.id !== created.id)]);
      return created;
    },
    [janua, getToken],
  );

  const rename = useCallback(
    async (passkeyId: string, name: string) => {
      const renamed = (await passkeyCall(deps, "PATCH /api/v1/auth/passkeys/{passkey_id}", { passkey_id: passkeyId, name })) as Passkey;
      setPasskeys((list) => list.map((p) => (p.id === passkeyId ? renamed : p)));
      return renamed;
    },
    [janua, getToken],
  );

  const remove = useCallback(
    async (passkeyId: string) => {
      await passkeyCall(deps, "DELETE /api/v1/auth/passkeys/{passkey_id}", { passkey_id: passkeyId });
      setPasskeys((list) => list.filter((p) => p.id !== passkeyId));
    },
    [janua, getToken],
  );

  const authenticate = useCallback(
    async ({ mfaToken }: { mfaToken?: string } = {}) => {
      const mfa = mfaToken ? { mfa_token: mfaToken } : {};
      const answer = (await passkeyCall(deps, "POST /api/v1/auth/passkey/login/options", mfa, { auth: false })) as Json;
      const { challengeId, options: json } = splitOptions(answer);
      const credential = (await navigator.credentials.get({ publicKey: requestOptionsFromJSON(json) })) as PublicKeyCredential | null;
      if (!credential) throw new Error("No passkey was chosen.");
      const endpoint = "POST /api/v1/auth/passkey/login";
      const signedInAnswer = (await passkeyCall(
        deps,
        endpoint,
        {
          ...(challengeId ? { challenge_id: challengeId } : {}),
          credential: credentialToJSON(credential),
          ...mfa,
          token_transport: tokenTransport,
          ...(deviceLabel ? { device_label: deviceLabel } : {}),
        },
        { auth: false },
      )) as { user?: User; tokens?: TokenPairLike };
      // Through the SDK a `tokens: "store"` route keeps the tokens itself; directly, keep them here.
      if (wired(endpoint) === undefined && signedInAnswer.tokens) await janua.setTokens(tokensOf(signedInAnswer.tokens));
      await acceptSignIn(signedInAnswer.user ?? null);
      return signedInAnswer.user ?? null;
    },
    [janua, getToken, tokenTransport, deviceLabel, acceptSignIn],
  );

  return { isSupported: isWebAuthnSupported(), passkeys, isLoading, error, reload, register, rename, remove, authenticate };
}
