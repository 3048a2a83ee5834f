/**
 * `Janua`: the hand-written facade over the generated wire types, the TypeScript twin of the
 * Python `janua.Janua`. Namespaced methods come from the table in `operations.ts`; this file is
 * the machinery every method shares: URL and body building, the bearer token, refresh before
 * expiry and once after a 401 TOKEN_ERROR (one refresh in flight, shared by concurrent calls),
 * retries and timeouts (`retry.ts`), typed errors (`errors.ts`) and pagination.
 */

import { errorFromResponse, JanuaError, TokenError } from "./errors.js";
import type { components } from "./generated/schema.js";
import {
  ROUTES,
  type CallOptions,
  type Input,
  type Namespaces,
  type Page,
  type Paginator,
  type Result,
  type RouteFlags,
  type Routes,
  type WiredOperationId,
} from "./operations.js";
import { parseRetryAfter, sendWithRetries, type RetryOptions } from "./retry.js";
import { canRefresh, isExpired, jwtExpiry, MemoryTokenStorage, readCookie, type Tokens, type TokenStorage } from "./storage.js";

type TokenPair = components["schemas"]["TokenPair"];

export const CSRF_COOKIE = "__Host-janua_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

export interface JanuaOptions {
  /** Where the server serves the API, e.g. `http://localhost:4100` (paths carry `/api/v1`). */
  baseUrl: string;
  /** Start signed in with these (stored in `tokenStorage`, replacing what it holds). */
  accessToken?: string;
  refreshToken?: string;
  /** Where tokens live; `MemoryTokenStorage` by default. See also `BrowserTokenStorage`. */
  tokenStorage?: TokenStorage;
  /** Replaces `globalThis.fetch` (called as `fetch(url, init)`). */
  fetch?: typeof fetch;
  /** Per attempt, in ms (default 10000; 0 disables). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 2; 0 disables). */
  maxRetries?: number;
  /** Backoff tuning; see `RetryOptions`. */
  retry?: Omit<RetryOptions, "maxRetries">;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /**
   * `fetch` credentials. Default: `"include"` in cookie mode (and for a sign-in asking for
   * `token_transport: "cookie"`), so the browser stores and sends the refresh cookie cross-origin;
   * the browser's default otherwise.
   */
  credentials?: RequestCredentials;
}

type AnyInput = Record<string, unknown>;
type Extra<R> = R extends readonly [unknown, string, { readonly ok: readonly (infer S)[] }] ? S : never;

const BODYLESS = new Set(["GET", "HEAD", "OPTIONS"]);

function split(endpoint: string): [method: string, template: string] {
  const space = endpoint.indexOf(" ");
  return [endpoint.slice(0, space), endpoint.slice(space + 1)];
}

function tokensFrom(pair: TokenPair, previous: Tokens | null): Tokens {
  const cookie = pair.refresh_token === undefined && (pair.csrf_token !== undefined || Boolean(previous?.cookie));
  const tokens: Tokens = { accessToken: pair.access_token, expiresAt: Date.now() + pair.expires_in * 1000 };
  // An answer without a refresh token (e.g. a new access token for another organization) keeps
  // the one the client has.
  const refreshToken = pair.refresh_token ?? (cookie ? undefined : previous?.refreshToken);
  if (refreshToken !== undefined) tokens.refreshToken = refreshToken;
  if (cookie) {
    tokens.cookie = true;
    const csrf = pair.csrf_token ?? previous?.csrfToken;
    if (csrf !== undefined) tokens.csrfToken = csrf;
  }
  return tokens;
}

function initialTokens(accessToken?: string, refreshToken?: string): Tokens | null {
  if (accessToken) {
    const tokens: Tokens = { accessToken };
    if (refreshToken) tokens.refreshToken = refreshToken;
    const expiresAt = jwtExpiry(accessToken);
    if (expiresAt !== undefined) tokens.expiresAt = expiresAt;
    return tokens;
  }
  // No access token yet: count it as expired, so the first call refreshes.
  return refreshToken ? { accessToken: "", refreshToken, expiresAt: 0 } : null;
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 205) return undefined;
  const text = await response.text();
  if (text === "") return undefined;
  const type = response.headers.get("content-type") ?? "";
  if (!/[/+]json\b/i.test(type)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    if (!response.ok) return text;
    throw new JanuaError(`${response.status}: the answer is not valid JSON`, { status: response.status, cause });
  }
}

export interface Janua extends Namespaces {}

/**
 * The Janua client: `janua.auth.login({ email, password })`, `await janua.auth.me()`,
 * `for await (const s of janua.sessions.list()) ...`. Results are the generated schema types;
 * failures throw `JanuaError` subclasses.
 */
export class Janua {
  readonly baseUrl: string;
  readonly tokenStorage: TokenStorage;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retry: Omit<RetryOptions, "maxRetries">;
  readonly #credentials: RequestCredentials | undefined;
  #ready: Promise<void>;
  #refreshing: Promise<TokenPair> | null = null;

  constructor(options: JanuaOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.tokenStorage = options.tokenStorage ?? new MemoryTokenStorage();
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#headers = { ...options.headers };
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxRetries = options.maxRetries ?? 2;
    this.#retry = { ...options.retry };
    this.#credentials = options.credentials;
    const initial = initialTokens(options.accessToken, options.refreshToken);
    this.#ready = Promise.resolve(initial ? this.tokenStorage.set(initial) : undefined);
    Object.assign(this, this.#namespaces());
  }

  /** The stored sign-in, or null. */
  async getTokens(): Promise<Tokens | null> {
    await this.#ready;
    return (await this.tokenStorage.get()) ?? null;
  }

  /** Replace the stored sign-in (null signs out locally, without telling the server). */
  async setTokens(tokens: Tokens | null): Promise<void> {
    await this.#ready;
    await this.tokenStorage.set(tokens);
  }

  /**
   * Any wired operation by its spec `operationId`, e.g. `janua.call("getCurrentUser")`; the
   * namespaced methods are this plus pagination. A paginated operation answers one page.
   */
  call<K extends WiredOperationId>(
    operationId: K,
    input?: Input<K>,
    options?: CallOptions,
  ): Promise<Result<K, Extra<Routes[K]>>> {
    return this.#invoke(operationId, (input ?? {}) as AnyInput, options ?? {}) as Promise<Result<K, Extra<Routes[K]>>>;
  }

  // -- plumbing --------------------------------------------------------------------------------

  #namespaces(): Record<string, Record<string, unknown>> {
    const spaces: Record<string, Record<string, unknown>> = {};
    for (const [id, route] of Object.entries(ROUTES) as [WiredOperationId, Routes[WiredOperationId]][]) {
      const [namespace, name] = route[1].split(".") as [string, string];
      const flags: RouteFlags = route[2] ?? {};
      const space = (spaces[namespace] ??= {});
      space[name] = flags.page
        ? (input: AnyInput = {}, options: CallOptions = {}) => this.#paginate(id, input, options)
        : (input: AnyInput = {}, options: CallOptions = {}) => this.#invoke(id, input, options);
    }
    return spaces;
  }

  async #invoke(id: WiredOperationId, input: AnyInput, options: CallOptions): Promise<unknown> {
    if (id === "refreshToken") return this.#refreshCall(input, options);
    const route = ROUTES[id];
    const flags: RouteFlags = route[2] ?? {};
    const [method, template] = split(route[0]);
    const request = this.#build(method, template, input, flags);
    const cookieSignIn = input["token_transport"] === "cookie";

    let used = flags.public ? null : await this.#freshTokens();
    const manual = flags.redirect === true;
    let response = await this.#send(method, request, used, options, cookieSignIn, manual);
    let body: unknown;
    if (response.status === 401 && used !== null && canRefresh(used)) {
      body = await readBody(response);
      if ((body as { code?: unknown } | undefined)?.code === "TOKEN_ERROR") {
        used = await this.#refreshAfter(used);
        response = await this.#send(method, request, used, options, cookieSignIn, manual);
        body = await readBody(response);
      }
    } else {
      body = await readBody(response);
    }
    if (flags.redirect && response.status >= 300 && response.status < 400) return response.headers.get("location") ?? "";
    if (!response.ok && !flags.ok?.includes(response.status)) {
      const error = errorFromResponse(response.status, response.headers, body, parseRetryAfter(response.headers.get("retry-after")));
      if (flags.tokens === "clear" && response.status === 401) await this.setTokens(null); // already signed out
      throw error;
    }
    if (flags.tokens === "store") {
      const pair = (body as { tokens?: TokenPair }).tokens ?? (body as TokenPair);
      await this.setTokens(tokensFrom(pair, await this.getTokens()));
    } else if (flags.tokens === "clear") {
      await this.setTokens(null);
    }
    return body;
  }

  #build(method: string, template: string, input: AnyInput, flags: RouteFlags): { url: string; body?: BodyInit; type?: string } {
    const rest: AnyInput = { ...input };
    const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = rest[name];
      if (value === undefined || value === null) throw new TypeError(`${template}: the path parameter ${name} is missing`);
      delete rest[name];
      return encodeURIComponent(String(value));
    });
    const query = new URLSearchParams();
    let bodyFields: AnyInput = {};
    if (flags.nest) {
      bodyFields = { ...(rest["body"] as AnyInput | undefined) };
      delete rest["body"];
    }
    for (const [key, value] of Object.entries(rest)) {
      if (value === undefined) continue;
      if (BODYLESS.has(method) || flags.query?.includes(key) || flags.nest) {
        if (value === null) continue;
        for (const item of Array.isArray(value) ? value : [value]) query.append(key, String(item));
      } else {
        bodyFields[key] = value;
      }
    }
    const search = query.toString() ? `?${query.toString()}` : "";
    const url = `${this.baseUrl}${path}${search}`;
    if (Object.keys(bodyFields).length === 0) return flags.body ? { url, body: "{}", type: "application/json" } : { url };
    if (flags.form) {
      const form = new URLSearchParams();
      for (const [key, value] of Object.entries(bodyFields)) {
        if (value === null) continue;
        for (const item of Array.isArray(value) ? value : [value]) form.append(key, String(item));
      }
      return { url, body: form.toString(), type: "application/x-www-form-urlencoded" };
    }
    return { url, body: JSON.stringify(bodyFields), type: "application/json" };
  }

  #send(
    method: string,
    request: { url: string; body?: BodyInit; type?: string },
    tokens: Tokens | null,
    options: CallOptions,
    cookieSignIn = false,
    manualRedirect = false,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.#headers };
    if (request.type) headers["Content-Type"] = request.type;
    if (tokens?.accessToken) headers["Authorization"] = `Bearer ${tokens.accessToken}`;
    Object.assign(headers, options.headers);
    const init: RequestInit & { method: string } = { method, headers };
    if (request.body !== undefined) init.body = request.body;
    const credentials = this.#credentials ?? (cookieSignIn || tokens?.cookie ? "include" : undefined);
    if (credentials) init.credentials = credentials;
    if (manualRedirect) init.redirect = "manual";
    return sendWithRetries(
      this.#fetch,
      { url: request.url, init, timeoutMs: options.timeoutMs ?? this.#timeoutMs, signal: options.signal },
      { ...this.#retry, maxRetries: options.maxRetries ?? this.#maxRetries },
    );
  }

  /** The stored tokens, refreshed first when the access token is (about to be) expired. */
  async #freshTokens(): Promise<Tokens | null> {
    const tokens = await this.getTokens();
    if (tokens !== null && isExpired(tokens) && canRefresh(tokens)) {
      await this.#sharedRefresh();
      return this.getTokens();
    }
    return tokens;
  }

  /** After `used` was refused: refresh, unless another call already replaced it meanwhile. */
  async #refreshAfter(used: Tokens): Promise<Tokens | null> {
    const current = await this.getTokens();
    if (current !== null && current.accessToken !== used.accessToken) return current;
    await this.#sharedRefresh();
    return this.getTokens();
  }

  /** One refresh at a time: concurrent callers await the same one. */
  #sharedRefresh(options: CallOptions = {}): Promise<TokenPair> {
    this.#refreshing ??= this.#refresh(undefined, options).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  #refreshCall(input: AnyInput, options: CallOptions): Promise<TokenPair> {
    const explicit = input["refresh_token"];
    return typeof explicit === "string" ? this.#refresh(explicit, options) : this.#sharedRefresh(options);
  }

  async #refresh(explicit: string | undefined, options: CallOptions): Promise<TokenPair> {
    const current = await this.getTokens();
    const refreshToken = explicit ?? current?.refreshToken;
    const cookie = refreshToken === undefined && Boolean(current?.cookie);
    if (refreshToken === undefined && !cookie) {
      throw new TokenError("no refresh token to refresh with: sign in first", { code: "TOKEN_ERROR" });
    }
    const [method, template] = split(ROUTES.refreshToken[0]);
    const headers: Record<string, string> = { ...options.headers };
    if (cookie) {
      const csrf = readCookie(CSRF_COOKIE) ?? current?.csrfToken;
      if (csrf !== undefined) headers[CSRF_HEADER] = csrf;
    }
    const request = this.#build(method, template, refreshToken === undefined ? {} : { refresh_token: refreshToken }, ROUTES.refreshToken[2]);
    const state: Tokens | null = cookie ? { accessToken: "", cookie: true } : null;
    const response = await this.#send(method, request, state, { ...options, headers });
    const body = await readBody(response);
    if (!response.ok) {
      const error = errorFromResponse(response.status, response.headers, body, parseRetryAfter(response.headers.get("retry-after")));
      // A refused refresh token will not get better: forget the dead sign-in (if still ours).
      if (error instanceof TokenError && explicit === undefined) {
        const now = await this.getTokens();
        if (now?.refreshToken === current?.refreshToken && now?.accessToken === current?.accessToken) await this.setTokens(null);
      }
      throw error;
    }
    const pair = body as TokenPair;
    await this.setTokens(tokensFrom(pair, cookie ? current : null)); // a rotation: nothing to keep but the cookie state
    return pair;
  }

  #paginate(id: WiredOperationId, input: AnyInput, options: CallOptions): Paginator<unknown> {
    const fetchPage = (cursor: unknown): Promise<Page<unknown>> =>
      this.#invoke(id, { ...input, cursor: cursor ?? undefined }, options) as Promise<Page<unknown>>;
    const start = input["cursor"];
    async function* pages(): AsyncIterableIterator<Page<unknown>> {
      let cursor: unknown = start;
      for (;;) {
        const page = await fetchPage(cursor);
        yield page;
        if (page.next_cursor === null || page.next_cursor === undefined) return;
        cursor = page.next_cursor;
      }
    }
    async function* items(): AsyncIterableIterator<unknown> {
      for await (const page of pages()) yield* page.data;
    }
    return {
      page: () => fetchPage(start),
      pages,
      [Symbol.asyncIterator]: items,
      async toArray() {
        const all: unknown[] = [];
        for await (const item of items()) all.push(item);
        return all;
      },
    };
  }
}
