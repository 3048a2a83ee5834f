// The `Janua` facade against the live server (JANUA_BASE_URL): typed results and errors, the token
// pair kept and refreshed (before expiry, after a 401 TOKEN_ERROR, once for concurrent calls),
// pagination, storage and cookie mode. The twin of sdks/python/tests/test_facade.py.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";

import {
  AuthenticationError,
  BrowserTokenStorage,
  ConflictError,
  CSRF_HEADER,
  Janua,
  JanuaError,
  NotFoundError,
  TokenError,
  ValidationError,
  type JanuaOptions,
  type Tokens,
  type WebStorageLike,
} from "@janua/sdk";
import { need, requireEnv } from "@janua/e2e-support/env";

const { JANUA_BASE_URL: baseUrl } = requireEnv();
const REFRESH_PATH = "/api/v1/auth/token/refresh";
const ME_PATH = "/api/v1/auth/me";


function newEmail(): string {
  return `ts-facade-${randomUUID()}@example.com`;
}
const PASSWORD = `correct horse facade ${randomUUID()}`;

/** A fetch that records the path of every request it passes on to the real one. */
function counting(): { fetch: typeof fetch; paths: string[]; requests: { method: string; path: string; headers: Headers }[] } {
  const paths: string[] = [];
  const requests: { method: string; path: string; headers: Headers }[] = [];
  return {
    paths,
    requests,
    fetch: (input, init) => {
      const url = new URL(String(input));
      paths.push(url.pathname);
      requests.push({ method: init?.method ?? "GET", path: url.pathname, headers: new Headers(init?.headers) });
      return globalThis.fetch(input, init);
    },
  };
}

function client(options: Partial<JanuaOptions> = {}): Janua {
  return new Janua({ baseUrl, ...options });
}

async function expireStored(janua: Janua): Promise<Tokens> {
  const tokens = await janua.getTokens();
  assert.ok(tokens?.refreshToken, "no stored refresh token");
  await janua.setTokens({ ...tokens, expiresAt: Date.now() - 1000 });
  return tokens;
}

async function rejects<E extends JanuaError>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${type.name}, nothing was thrown`);
}

describe("Janua facade against a live server", () => {
  it("signs up, reads and edits the profile, rotates, signs out; errors are typed", async () => {
    const email = newEmail();
    const janua = client();
    const created = await janua.auth.register({ email, password: PASSWORD, name: "Facade" });
    assert.equal(created.user.email, email);
    assert.equal((await janua.auth.me()).id, created.user.id);

    const conflict = await rejects(janua.auth.register({ email: email.toUpperCase(), password: PASSWORD }), ConflictError);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.code, "CONFLICT_ERROR");
    assert.ok(conflict.requestId, "no request id");
    assert.equal(typeof conflict.detail, "string");
    assert.equal(conflict.problem?.["status"], 409);

    const wrong = await rejects(janua.auth.login({ email, password: "not the password" }), AuthenticationError);
    assert.equal(wrong.code, "AUTHENTICATION_ERROR");
    assert.ok(!(wrong instanceof TokenError));

    const session = await janua.auth.login({ email, password: PASSWORD });
    assert.equal((await janua.getTokens())?.accessToken, session.tokens.access_token);
    assert.equal((await janua.auth.me()).email, email);
    assert.equal((await janua.auth.updateMe({ name: "Renamed" })).name, "Renamed");

    const rotated = await janua.auth.refresh();
    assert.notEqual(rotated.refresh_token, session.tokens.refresh_token);
    assert.equal((await janua.getTokens())?.refreshToken, rotated.refresh_token);
    assert.equal((await janua.auth.me()).email, email);

    assert.equal((await janua.health.check()).status, "ok");
    const detailed = await janua.health.detailed();
    assert.ok(detailed.checks);
    assert.ok((await janua.discovery.jwks()).keys.length > 0);
    assert.ok((await janua.discovery.openidConfiguration()).issuer);

    await janua.auth.logout();
    assert.equal(await janua.getTokens(), null);
    const anonymous = await rejects(janua.auth.me(), AuthenticationError);
    assert.equal(anonymous.code, "AUTHENTICATION_ERROR");

    // The signed-out session's refresh token is dead: the automatic refresh says so, and the
    // client forgets the dead sign-in.
    const stale = client({ refreshToken: need(rotated.refresh_token) });
    const dead = await rejects(stale.auth.me(), TokenError);
    assert.equal(dead.status, 401);
    assert.equal(await stale.getTokens(), null);
  });

  it("reports invalid fields of a VALIDATION_ERROR as JSON pointers", async () => {
    const invalid = await rejects(client().auth.register({ email: "not-an-email", password: "x" }), ValidationError);
    assert.equal(invalid.status, 422);
    assert.equal(invalid.code, "VALIDATION_ERROR");
    assert.ok(invalid.errors.some((e) => e.pointer.includes("email")), JSON.stringify(invalid.errors));
  });

  it("refreshes before expiry: one refresh, then the call", async () => {
    const wire = counting();
    const janua = client({ fetch: wire.fetch });
    const email = newEmail();
    await janua.auth.register({ email, password: PASSWORD });
    const old = await expireStored(janua);
    assert.equal((await janua.auth.me()).email, email);
    assert.equal(wire.paths.filter((p) => p === REFRESH_PATH).length, 1);
    assert.deepEqual(wire.paths.slice(-2), [REFRESH_PATH, ME_PATH]);
    const now = await janua.getTokens();
    assert.notEqual(now?.refreshToken, old.refreshToken);
    assert.ok((now?.expiresAt ?? 0) > Date.now());
  });

  it("refreshes once after a 401 TOKEN_ERROR and repeats the call", async () => {
    const wire = counting();
    const janua = client({ fetch: wire.fetch });
    const email = newEmail();
    await janua.auth.register({ email, password: PASSWORD });
    const tokens = need(await janua.getTokens());
    await janua.setTokens({ ...tokens, accessToken: "tampered" });
    assert.equal((await janua.auth.me()).email, email);
    assert.deepEqual(wire.paths.slice(-3), [ME_PATH, REFRESH_PATH, ME_PATH]);
    assert.notEqual((await janua.getTokens())?.accessToken, "tampered");
    assert.notEqual((await janua.getTokens())?.refreshToken, tokens.refreshToken);
  });

  it("does not refresh for a public operation's 401 TOKEN_ERROR", async () => {
    const wire = counting();
    const janua = client({ fetch: wire.fetch });
    await janua.auth.register({ email: newEmail(), password: PASSWORD });
    wire.paths.length = 0;
    const refused = await rejects(janua.auth.verifyEmail({ token: "not-a-real-token" }), TokenError);
    assert.equal(refused.code, "TOKEN_ERROR");
    assert.deepEqual(wire.paths, ["/api/v1/auth/email/verify"]);
  });

  it("shares one refresh among concurrent calls", async () => {
    const wire = counting();
    const janua = client({ fetch: wire.fetch });
    const email = newEmail();
    await janua.auth.register({ email, password: PASSWORD });
    const old = await expireStored(janua);
    const users = await Promise.all(Array.from({ length: 5 }, () => janua.auth.me()));
    assert.deepEqual(new Set(users.map((u) => u.email)), new Set([email]));
    assert.equal(wire.paths.filter((p) => p === REFRESH_PATH).length, 1);
    assert.notEqual((await janua.getTokens())?.refreshToken, old.refreshToken);

    // and after a 401 TOKEN_ERROR too: five refused calls, one refresh
    const tokens = need(await janua.getTokens());
    await janua.setTokens({ ...tokens, accessToken: "tampered" });
    wire.paths.length = 0;
    await Promise.all(Array.from({ length: 5 }, () => janua.auth.me()));
    assert.equal(wire.paths.filter((p) => p === REFRESH_PATH).length, 1);
  });

  it("paginates sessions: async iteration, .page(), .pages(); revokes", async () => {
    const wire = counting();
    const janua = client({ fetch: wire.fetch });
    const email = newEmail();
    await janua.auth.register({ email, password: PASSWORD });
    for (let i = 0; i < 3; i++) await janua.auth.login({ email, password: PASSWORD, device_label: `device ${i}` });
    wire.paths.length = 0;

    const sessions = [];
    for await (const session of janua.sessions.list({ limit: 1 })) sessions.push(session);
    assert.equal(sessions.length, 4); // register + 3 logins
    assert.equal(new Set(sessions.map((s) => s.id)).size, 4);
    assert.equal(sessions.filter((s) => s.current).length, 1);
    assert.ok(wire.paths.filter((p) => p === "/api/v1/sessions").length >= 4, "one item per page");

    const first = await janua.sessions.list({ limit: 2 }).page();
    assert.equal(first.data.length, 2);
    assert.ok(first.next_cursor);
    const second = await janua.sessions.list({ limit: 2, cursor: first.next_cursor }).page();
    assert.deepEqual(
      [...first.data, ...second.data].map((s) => s.id),
      sessions.map((s) => s.id),
    );
    const pages = [];
    for await (const page of janua.sessions.list({ limit: 3 }).pages()) pages.push(page.data.length);
    assert.deepEqual(pages, [3, 1]);

    const other = need(sessions.find((s) => !s.current));
    await janua.sessions.revoke({ session_id: other.id });
    assert.equal((await janua.sessions.list().toArray()).length, 3);
    const gone = await rejects(janua.sessions.revoke({ session_id: other.id }), NotFoundError);
    assert.equal(gone.status, 404);

    await janua.sessions.revokeOthers();
    assert.deepEqual(
      (await janua.sessions.list().toArray()).map((s) => s.current),
      [true],
    );
    const events = await janua.auth.auditEvents({ limit: 1 }).toArray();
    assert.ok(events.length >= 4, `${events.length} audit events`);
  });

  it("reaches every operation by operationId too (janua.call)", async () => {
    const janua = client();
    assert.equal((await janua.call("getHealth")).status, "ok");
    await janua.call("registerUser", { email: newEmail(), password: PASSWORD });
    const page = await janua.call("listSessions", { limit: 1 });
    assert.equal(page.data.length, 1);
  });

  it("keeps the sign-in in a BrowserTokenStorage across clients (a reload)", async () => {
    const items = new Map<string, string>();
    const storage: WebStorageLike = {
      getItem: (key) => items.get(key) ?? null,
      setItem: (key, value) => void items.set(key, value),
      removeItem: (key) => void items.delete(key),
    };
    const email = newEmail();
    const first = client({ tokenStorage: new BrowserTokenStorage({ storage, key: "app.janua" }) });
    await first.auth.register({ email, password: PASSWORD });
    assert.ok(items.get("app.janua")?.includes("refreshToken"));

    const reloaded = client({ tokenStorage: new BrowserTokenStorage({ storage, key: "app.janua" }) });
    assert.equal((await reloaded.auth.me()).email, email);
    await reloaded.auth.logout();
    assert.equal(items.has("app.janua"), false);
  });

  describe("cookie mode (browser)", () => {
    // Node's fetch has no cookie jar: this one plays the browser's part, storing Set-Cookie
    // and sending the cookies back; `document.cookie` exposes the non-HttpOnly CSRF cookie.
    const jar = new Map<string, string>();
    const requests: { path: string; credentials?: RequestCredentials; headers: Headers; body?: string }[] = [];
    const browserFetch: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
      requests.push({
        path: new URL(String(input)).pathname,
        credentials: init?.credentials,
        headers,
        body: typeof init?.body === "string" ? init.body : undefined,
      });
      const response = await globalThis.fetch(input, { ...init, headers });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair = "", ...attributes] = cookie.split(";");
        const eq = pair.indexOf("=");
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "" || value === '""';
        if (expired) jar.delete(name);
        else jar.set(name, value);
      }
      return response;
    };
    const g = globalThis as { document?: unknown };

    it("signs in with cookie transport, refreshes with the cookie + X-CSRF-Token, signs out", async () => {
      const email = newEmail();
      await client().auth.register({ email, password: PASSWORD });
      const janua = client({ fetch: browserFetch });
      g.document = {
        get cookie(): string {
          const csrf = jar.get("__Host-janua_csrf");
          return csrf ? `theme=dark; __Host-janua_csrf=${csrf}` : "theme=dark";
        },
      };
      try {
        const signedIn = await janua.auth.login({ email, password: PASSWORD, token_transport: "cookie" });
        assert.equal(signedIn.tokens.refresh_token, undefined, "cookie transport puts no refresh token in the body");
        assert.ok(signedIn.tokens.csrf_token);
        assert.equal(requests.at(-1)?.credentials, "include");
        assert.ok(jar.has("__Host-janua_refresh"), "no refresh cookie was set");
        const stored = need(await janua.getTokens());
        assert.equal(stored.cookie, true);
        assert.equal(stored.refreshToken, undefined);

        await janua.setTokens({ ...stored, expiresAt: Date.now() - 1000 });
        const oldCookie = jar.get("__Host-janua_refresh");
        assert.equal((await janua.auth.me()).email, email);
        const refresh = need(requests.find((r) => r.path === REFRESH_PATH));
        assert.equal(refresh.credentials, "include");
        assert.equal(refresh.headers.get(CSRF_HEADER), jar.get("__Host-janua_csrf"));
        assert.deepEqual(JSON.parse(refresh.body ?? "null"), {});
        assert.notEqual(jar.get("__Host-janua_refresh"), oldCookie, "the refresh cookie was not rotated");

        await janua.auth.logout();
        assert.equal(await janua.getTokens(), null);
      } finally {
        delete g.document;
      }
    });
  });
});


describe("a required body whose fields are all optional", () => {
  it("is sent as {} when the call gives no field (no 415)", async () => {
    const janua = client();
    // Usernameless passkey sign-in starts with no input at all.
    const options = await janua.passkeys.startLogin();
    assert.equal(typeof options.challenge_id, "string");
    assert.equal(typeof options.public_key.challenge, "string");
    await janua.auth.register({ email: newEmail(), password: PASSWORD });
    // An update needs one field (`minProperties: 1`): the server says so, rather than 415.
    await assert.rejects(janua.auth.updateMe(), (error: unknown) => {
      assert.ok(error instanceof ValidationError, String(error));
      assert.equal(error.status, 422);
      assert.equal(error.code, "VALIDATION_ERROR");
      return true;
    });
  });
});
