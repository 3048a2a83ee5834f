// Retries, backoff, Retry-After and timeouts, on a scripted fetch: the live server cannot produce
// a 429 with a chosen Retry-After, a 503 or a dropped connection on demand. One test uses a real
// refused connection (a port nobody listens on). No server needed.

import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { inspect } from "node:util";

import {
  backoffDelay,
  errorFromResponse,
  Janua,
  MfaRequiredError,
  NetworkError,
  parseRetryAfter,
  RateLimitError,
  ServerError,
  TimeoutError,
  type JanuaOptions,
} from "@janua/sdk";

type Answer = Response | Error | ((init: RequestInit) => Promise<Response>);

function problem(status: number, code: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: "about:blank", title: code, status, code, request_id: "req-1" }), {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}

function ok(body: unknown = { status: "ok", version: "0" }): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
}

function refused(): Error {
  return new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }) });
}

function reset(): Error {
  return new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
}

/** A fetch answering from a script, recording each request, with the sleeps recorded not slept. */
function scripted(answers: Answer[], options: Partial<JanuaOptions> = {}) {
  const calls: { method: string; url: string }[] = [];
  const sleeps: number[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({ method: init?.method ?? "GET", url: String(input) });
    const next = answers.shift();
    assert.ok(next, "more requests than scripted answers");
    if (next instanceof Error) throw next;
    if (typeof next === "function") return next(init ?? {});
    return next;
  };
  const janua = new Janua({
    baseUrl: "http://janua.test",
    fetch,
    retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    ...options,
  });
  return { janua, calls, sleeps };
}

describe("retries", () => {
  it("retries a 429 after Retry-After seconds", async () => {
    const { janua, calls, sleeps } = scripted([problem(429, "RATE_LIMIT_ERROR", { "retry-after": "3" }), ok()]);
    assert.equal((await janua.health.check()).status, "ok");
    assert.equal(calls.length, 2);
    assert.deepEqual(sleeps, [3000]);
  });

  it("honours Retry-After as an HTTP date", async () => {
    const when = new Date(Date.now() + 5000).toUTCString();
    const { janua, sleeps } = scripted([problem(503, "INTERNAL_ERROR", { "retry-after": when }), ok()]);
    await janua.health.check();
    assert.equal(sleeps.length, 1);
    assert.ok((sleeps[0] ?? 0) > 3000 && (sleeps[0] ?? 0) <= 5000, `slept ${sleeps[0]}`);
  });

  it("backs off exponentially with full jitter when there is no Retry-After", async () => {
    const { janua, sleeps } = scripted([problem(503, "INTERNAL_ERROR"), problem(503, "INTERNAL_ERROR"), ok()], {
      retry: { baseDelayMs: 100, maxDelayMs: 150, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    });
    await janua.health.check();
    assert.deepEqual(sleeps, [50, 75]); // 0.5 * min(150, 100 * 2^n)
    for (let attempt = 0; attempt < 10; attempt++) {
      const delay = backoffDelay(attempt, { baseDelayMs: 500, maxDelayMs: 8000 });
      assert.ok(delay >= 0 && delay < Math.min(8000, 500 * 2 ** attempt), `${delay}`);
    }
  });

  it("retries a POST on 429 / 503 (the server did not process it)", async () => {
    const { janua, calls } = scripted([problem(503, "INTERNAL_ERROR"), ok({ user: {}, tokens: { access_token: "a", expires_in: 60 } })]);
    await janua.auth.login({ email: "a@example.com", password: "x" });
    assert.deepEqual(calls.map((c) => c.method), ["POST", "POST"]);
  });

  it("retries a POST whose connection was refused (it never reached the server)", async () => {
    const { janua, calls } = scripted([refused(), ok({ user: {}, tokens: { access_token: "a", expires_in: 60 } })]);
    await janua.auth.login({ email: "a@example.com", password: "x" });
    assert.equal(calls.length, 2);
  });

  it("does not retry a POST that may have reached the server", async () => {
    const { janua, calls } = scripted([reset(), ok()]);
    const error = await janua.auth.login({ email: "a@example.com", password: "x" }).catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError, String(error));
    assert.equal(error.status, undefined);
    assert.match(error.message, /ECONNRESET/);
    assert.equal(calls.length, 1);
  });

  it("retries a GET after any network error", async () => {
    const { janua, calls } = scripted([reset(), refused(), ok()]);
    assert.equal((await janua.health.check()).status, "ok");
    assert.equal(calls.length, 3);
  });

  it("gives up after maxRetries with the typed error and its retryAfter", async () => {
    const { janua, calls } = scripted(
      [problem(429, "RATE_LIMIT_ERROR", { "retry-after": "1" }), problem(429, "RATE_LIMIT_ERROR", { "retry-after": "7" })],
      { maxRetries: 1 },
    );
    const error = await janua.health.check().catch((e: unknown) => e);
    assert.ok(error instanceof RateLimitError, String(error));
    assert.equal(error.status, 429);
    assert.equal(error.code, "RATE_LIMIT_ERROR");
    assert.equal(error.retryAfter, 7);
    assert.equal(error.requestId, "req-1");
    assert.equal(calls.length, 2);
  });

  it("does not wait for a Retry-After beyond the cap", async () => {
    const { janua, calls, sleeps } = scripted([problem(429, "RATE_LIMIT_ERROR", { "retry-after": "3600" })]);
    const error = await janua.health.check().catch((e: unknown) => e);
    assert.ok(error instanceof RateLimitError);
    assert.equal(error.retryAfter, 3600);
    assert.deepEqual(sleeps, []);
    assert.equal(calls.length, 1);
  });

  it("maxRetries 0 (client or call) sends once", async () => {
    const { janua, calls } = scripted([problem(503, "INTERNAL_ERROR")]);
    const error = await janua.health.check(undefined, { maxRetries: 0 }).catch((e: unknown) => e);
    assert.ok(error instanceof ServerError);
    assert.equal(calls.length, 1);
  });

  it("returns detailed health's 503 body instead of throwing (after retrying)", async () => {
    const degraded = () => new Response(JSON.stringify({ status: "degraded", version: "0", checks: {} }), { status: 503, headers: { "content-type": "application/json" } });
    const { janua, calls } = scripted([degraded(), degraded(), degraded()]);
    assert.equal((await janua.health.detailed()).status, "degraded");
    assert.equal(calls.length, 3);
  });

  it("times out an attempt with TimeoutError, and retries it for idempotent methods", async () => {
    const hang = (init: RequestInit) =>
      new Promise<Response>((_, reject) => init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))));
    const { janua, calls } = scripted([hang, hang], { timeoutMs: 20, maxRetries: 1 });
    const error = await janua.health.check().catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutError, String(error));
    assert.ok(error instanceof NetworkError);
    assert.equal(calls.length, 2);

    const post = scripted([hang, ok()], { timeoutMs: 20 });
    const postError = await post.janua.auth.login({ email: "a@example.com", password: "x" }).catch((e: unknown) => e);
    assert.ok(postError instanceof TimeoutError);
    assert.equal(post.calls.length, 1, "a timed-out POST may have been processed: not retried");
  });

  it("stops at once when the caller aborts", async () => {
    const controller = new AbortController();
    const hang = (init: RequestInit) =>
      new Promise<Response>((_, reject) => init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))));
    const { janua, calls } = scripted([hang, ok()]);
    const pending = janua.health.check(undefined, { signal: controller.signal });
    controller.abort(new Error("user went away"));
    await assert.rejects(pending, /user went away/);
    assert.equal(calls.length, 1);
  });

  it("reports a real refused connection as NetworkError after retrying", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    let attempts = 0;
    const janua = new Janua({
      baseUrl: `http://127.0.0.1:${port}`,
      fetch: (input, init) => {
        attempts++;
        return globalThis.fetch(input, init);
      },
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    const error = await janua.auth.login({ email: "a@example.com", password: "x" }).catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError, String(error));
    assert.match(error.message, /ECONNREFUSED/);
    assert.equal(attempts, 3, "a refused POST never reached the server, so it is retried");
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates, ignores garbage", () => {
    assert.equal(parseRetryAfter("120"), 120);
    assert.equal(parseRetryAfter(" 0 "), 0);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter("soon"), undefined);
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now), 30);
    assert.equal(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now), 0);
  });
});

describe("error mapping", () => {
  it("maps MFA_REQUIRED to MfaRequiredError with the mfa token and methods", () => {
    const body = {
      type: "urn:janua:problem:mfa-required",
      title: "Second factor required",
      status: 403,
      code: "MFA_REQUIRED",
      request_id: "abc",
      mfa_token: "mfa-123",
      mfa_token_expires_in: 300,
      mfa_methods: ["totp", "recovery_code"],
    };
    const error = errorFromResponse(403, new Headers(), body);
    assert.ok(error instanceof MfaRequiredError);
    assert.equal(error.mfaToken, "mfa-123");
    assert.deepEqual(error.mfaMethods, ["totp", "recovery_code"]);
    assert.equal(error.mfaTokenExpiresIn, 300);
    assert.equal(error.status, 403);
    assert.equal(error.requestId, "abc");
  });

  it("keeps the mfa token out of console.log and JSON.stringify", () => {
    const body = { type: "x", title: "t", status: 403, code: "MFA_REQUIRED", request_id: "abc", mfa_token: "mfa-secret-123", mfa_methods: ["totp"] };
    const error = errorFromResponse(403, new Headers(), body);
    assert.ok(error instanceof MfaRequiredError);
    for (const shown of [inspect(error, { depth: 5 }), JSON.stringify(error), String(error)]) {
      assert.doesNotMatch(shown, /mfa-secret-123/, shown);
    }
    assert.match(inspect(error), /MFA_REQUIRED/);
    assert.match(inspect(error), /mfaMethods: \[ 'totp' \]/);
    assert.equal(error.mfaToken, "mfa-secret-123");
    assert.equal(error.problem?.["mfa_token"], "mfa-secret-123");
  });

  it("names the failed request without its query string", async () => {
    const { janua } = scripted([refused()], { maxRetries: 0 });
    const error = await janua.oauth.endSession({ id_token_hint: "eyJ.secret.jwt" }).catch((e: unknown) => e);
    assert.ok(error instanceof NetworkError, String(error));
    assert.match(error.message, /^GET http:\/\/janua\.test\/oauth\/logout: /);
    assert.doesNotMatch(error.message, /secret/);
  });

  it("falls back on the status, and reads RFC 6749 OAuth errors", () => {
    const html = errorFromResponse(502, new Headers({ "x-request-id": "edge-1" }), "<html>Bad gateway</html>");
    assert.ok(html instanceof ServerError);
    assert.equal(html.requestId, "edge-1");
    const oauth = errorFromResponse(400, new Headers(), { error: "invalid_grant", error_description: "expired code" });
    assert.equal(oauth.code, "invalid_grant");
    assert.equal(oauth.detail, "expired code");
  });

  it("throws MfaRequiredError from a login answered 403 MFA_REQUIRED", async () => {
    const body = { type: "x", title: "t", status: 403, code: "MFA_REQUIRED", mfa_token: "m", mfa_token_expires_in: 60, mfa_methods: ["totp"] };
    const { janua } = scripted([new Response(JSON.stringify(body), { status: 403, headers: { "content-type": "application/problem+json" } })]);
    const error = await janua.auth.login({ email: "a@example.com", password: "x" }).catch((e: unknown) => e);
    assert.ok(error instanceof MfaRequiredError);
    assert.equal(error.mfaToken, "m");
    assert.equal(await janua.getTokens(), null);
  });
});
