/**
 * One HTTP exchange with timeouts and retries: exponential backoff with full jitter, `Retry-After`
 * (delta-seconds or HTTP date) honoured on 429 / 503.
 *
 * What is retried, and why it is safe:
 * - 429 and 503, any method: the server says it did not process the request.
 * - a request that never reached the server (connection refused, DNS failure), any method.
 * - other network failures and timeouts only for idempotent methods (GET, HEAD, OPTIONS, PUT,
 *   DELETE): a POST or PATCH may have been processed, and repeating it could, say, rotate a
 *   refresh token twice (which the server treats as theft).
 */

import { NetworkError, TimeoutError } from "./errors.js";

export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** First backoff cap in ms (default 500); it doubles per retry. */
  baseDelayMs?: number;
  /** Largest backoff in ms (default 8000). */
  maxDelayMs?: number;
  /** A longer `Retry-After` than this (ms, default 60000) is not waited for: the error is thrown. */
  maxRetryAfterMs?: number;
  /** Replaces the timer (tests). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Replaces `Math.random` for the jitter (tests). */
  random?: () => number;
}

export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Error codes (Node's undici, under `cause`) of failures before anything was sent. */
const NEVER_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT", "EHOSTUNREACH", "ENETUNREACH"]);

/** Seconds from a `Retry-After` value (delta-seconds or HTTP date); undefined when absent or bad. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const when = Date.parse(text);
  if (Number.isNaN(when)) return undefined;
  return Math.max(0, (when - now) / 1000);
}

/** Full jitter: uniform in [0, min(maxDelay, base * 2^attempt)). */
export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const cap = Math.min(options.maxDelayMs ?? 8000, (options.baseDelayMs ?? 500) * 2 ** attempt);
  return (options.random ?? Math.random)() * cap;
}

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    const nested = (current as { errors?: unknown }).errors; // AggregateError (happy eyeballs)
    if (Array.isArray(nested)) for (const e of nested) codes.push(...errorCodes(e));
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** True when the failure happened before the request left (connection refused, no DNS). */
export function neverSent(error: unknown): boolean {
  const codes = errorCodes(error);
  return codes.length > 0 && codes.every((code) => NEVER_SENT.has(code));
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener("abort", abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
}

export interface Exchange {
  url: string;
  init: RequestInit & { method: string };
  /** Per attempt; undefined or 0 means none. */
  timeoutMs?: number;
  /** The caller's signal: aborting it ends the call (and any wait) at once, without retries. */
  signal?: AbortSignal;
}

/**
 * Sends `exchange` with `fetchImpl`, retrying as described above. Returns the final response
 * (which may be a 429 / 503 when retries ran out); throws NetworkError / TimeoutError, or the
 * caller's abort reason.
 */
export async function sendWithRetries(
  fetchImpl: typeof fetch,
  exchange: Exchange,
  options: RetryOptions = {},
): Promise<Response> {
  const maxRetries = options.maxRetries ?? 2;
  const sleep = options.sleep ?? defaultSleep;
  const method = exchange.init.method.toUpperCase();
  for (let attempt = 0; ; attempt++) {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(exchange.signal?.reason);
    if (exchange.signal?.aborted) throw exchange.signal.reason;
    exchange.signal?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer =
      exchange.timeoutMs && exchange.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, exchange.timeoutMs)
        : undefined;
    let response: Response;
    try {
      response = await fetchImpl(exchange.url, { ...exchange.init, signal: controller.signal });
    } catch (error) {
      if (exchange.signal?.aborted) throw exchange.signal.reason;
      const retryable = neverSent(error) || IDEMPOTENT_METHODS.has(method);
      if (attempt >= maxRetries || !retryable) {
        // The query string stays out of the message: it may carry a token (`id_token_hint`).
        const where = `${method} ${exchange.url.split(/[?#]/, 1)[0]}`;
        if (timedOut) throw new TimeoutError(`${where}: no answer within ${exchange.timeoutMs} ms`, { cause: error });
        throw new NetworkError(`${where}: ${describe(error)}`, { cause: error });
      }
      await sleep(backoffDelay(attempt, options), exchange.signal);
      continue;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      exchange.signal?.removeEventListener("abort", onAbort);
    }
    if (!RETRY_STATUSES.has(response.status) || attempt >= maxRetries) return response;
    const hint = parseRetryAfter(response.headers.get("retry-after"));
    if (hint !== undefined && hint * 1000 > (options.maxRetryAfterMs ?? 60_000)) return response;
    await response.body?.cancel().catch(() => undefined);
    await sleep(hint !== undefined ? hint * 1000 : backoffDelay(attempt, options), exchange.signal);
  }
}

function describe(error: unknown): string {
  const codes = errorCodes(error);
  const message = error instanceof Error ? error.message : String(error);
  return codes.length ? `${message} (${[...new Set(codes)].join(", ")})` : message;
}
