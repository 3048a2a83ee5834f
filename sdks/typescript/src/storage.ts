/**
 * Where the client keeps its tokens: pluggable (`TokenStorage`), in memory by default, or in
 * `localStorage` / `sessionStorage` for browsers. In cookie mode (sign in with
 * `token_transport: "cookie"`) the refresh token never reaches JavaScript: the server keeps it in
 * an HttpOnly `__Host-janua_refresh` cookie and the client stores only the access token.
 */

/** The current sign-in as the client keeps it. */
export interface Tokens {
  accessToken: string;
  /** Absent in cookie mode (the browser holds it as an HttpOnly cookie). */
  refreshToken?: string;
  /** When the access token expires, in ms since the epoch; undefined when unknown. */
  expiresAt?: number;
  /** The refresh token travels in the `__Host-janua_refresh` cookie (browser mode). */
  cookie?: boolean;
  /** Cookie mode: the CSRF token of the last token answer (the `__Host-janua_csrf` cookie wins). */
  csrfToken?: string;
}

export interface TokenStorage {
  get(): Tokens | null | Promise<Tokens | null>;
  set(tokens: Tokens | null): void | Promise<void>;
}

/** Refresh this long before the access token expires. */
export const EXPIRY_SKEW_MS = 30_000;

export function isExpired(tokens: Tokens, now: number = Date.now()): boolean {
  return tokens.expiresAt !== undefined && now >= tokens.expiresAt - EXPIRY_SKEW_MS;
}

/** True when the client can get a new access token by itself. */
export function canRefresh(tokens: Tokens | null): boolean {
  return tokens !== null && (Boolean(tokens.refreshToken) || Boolean(tokens.cookie));
}

/** The `exp` claim of a JWT in ms, read without verification (only to schedule a refresh). */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const json = JSON.parse(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4))) as { exp?: unknown };
    return typeof json.exp === "number" ? json.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The default: one sign-in in memory, gone with the process or page. */
export class MemoryTokenStorage implements TokenStorage {
  #tokens: Tokens | null;
  constructor(tokens: Tokens | null = null) {
    this.#tokens = tokens;
  }
  get(): Tokens | null {
    return this.#tokens;
  }
  set(tokens: Tokens | null): void {
    this.#tokens = tokens;
  }
}

/** The subset of the Web Storage API this needs (so tests and other stores can provide it). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Keeps the tokens as JSON under `key` in `localStorage` (default) or `sessionStorage`, so a
 * reload keeps the user signed in. Whatever script runs on the page can read them: prefer cookie
 * mode, where only the short-lived access token is stored here.
 */
export class BrowserTokenStorage implements TokenStorage {
  readonly key: string;
  readonly #storage: WebStorageLike;

  constructor(options: { storage?: "local" | "session" | WebStorageLike; key?: string } = {}) {
    this.key = options.key ?? "janua.tokens";
    const chosen = options.storage ?? "local";
    if (typeof chosen === "object") {
      this.#storage = chosen;
    } else {
      const store = (globalThis as { localStorage?: WebStorageLike; sessionStorage?: WebStorageLike })[
        chosen === "local" ? "localStorage" : "sessionStorage"
      ];
      if (!store) throw new Error(`BrowserTokenStorage: ${chosen}Storage is not available here`);
      this.#storage = store;
    }
  }

  get(): Tokens | null {
    const raw = this.#storage.getItem(this.key);
    if (raw === null) return null;
    try {
      const parsed = JSON.parse(raw) as Tokens;
      return typeof parsed?.accessToken === "string" ? parsed : null;
    } catch {
      return null;
    }
  }

  set(tokens: Tokens | null): void {
    if (tokens === null) this.#storage.removeItem(this.key);
    else this.#storage.setItem(this.key, JSON.stringify(tokens));
  }
}

/** The value of a cookie readable by script (`document.cookie`), in browsers; else undefined. */
export function readCookie(name: string): string | undefined {
  const doc = (globalThis as { document?: { cookie?: string } }).document;
  const all = typeof doc?.cookie === "string" ? doc.cookie : "";
  for (const part of all.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
