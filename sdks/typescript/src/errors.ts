/**
 * Typed errors, one class per problem+json `code` (RFC 9457), the same family as the Python
 * facade's `janua.JanuaError`. Every error the facade throws is a `JanuaError`; `status` is
 * undefined only for network errors (no answer at all).
 */

import type { components } from "./generated/schema.js";

export type Problem = components["schemas"]["Problem"];
export type ErrorCode = components["schemas"]["ErrorCode"];
export type FieldError = components["schemas"]["FieldError"];
export type MfaMethod = components["schemas"]["MfaMethod"];

export interface JanuaErrorInit {
  status?: number;
  code?: string;
  detail?: string;
  requestId?: string;
  /** The parsed error body (problem+json, or RFC 6749 `{error, error_description}`), if any. */
  problem?: Record<string, unknown>;
  cause?: unknown;
}

/** A read-only property left out of `console.log` / `util.inspect` and `JSON.stringify`. */
function hidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: true });
}

export class JanuaError extends Error {
  /** HTTP status; undefined when no answer arrived. */
  readonly status: number | undefined;
  /** Janua's stable code (`TOKEN_ERROR`, ...), or an OAuth `error` for the OAuth endpoints. */
  readonly code: string | undefined;
  readonly detail: string | undefined;
  /** The server's request id (`request_id` of the problem, or the `X-Request-ID` header). */
  readonly requestId: string | undefined;
  /**
   * The parsed error body. Not enumerable, like `MfaRequiredError.mfaToken`: `console.log(error)`
   * and `JSON.stringify(error)` show the fields above, never a token the body may carry.
   */
  declare readonly problem: Record<string, unknown> | undefined;

  constructor(message: string, init: JanuaErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.requestId = init.requestId;
    hidden(this, "problem", init.problem);
  }
}

/** 400 BAD_REQUEST, and any other 4xx without a more specific class. */
export class BadRequestError extends JanuaError {}
/** 401 AUTHENTICATION_ERROR: wrong credentials, or no token at all. */
export class AuthenticationError extends JanuaError {}
/** 401 TOKEN_ERROR: the access, refresh or link token is invalid, expired or revoked. */
export class TokenError extends AuthenticationError {}
/** 403 AUTHORIZATION_ERROR. */
export class AuthorizationError extends JanuaError {}
/** 404 NOT_FOUND_ERROR. */
export class NotFoundError extends JanuaError {}
/** 409 CONFLICT_ERROR (e.g. the email is already registered). */
export class ConflictError extends JanuaError {}
/** 5xx: INTERNAL_ERROR, or 503 when a backing service is down. */
export class ServerError extends JanuaError {}

/** 422 VALIDATION_ERROR; `errors` lists the invalid fields as JSON pointers. */
export class ValidationError extends JanuaError {
  readonly errors: FieldError[];
  constructor(message: string, init: JanuaErrorInit & { errors?: FieldError[] } = {}) {
    super(message, init);
    this.errors = init.errors ?? [];
  }
}

/** 429 RATE_LIMIT_ERROR; `retryAfter` is the server's hint in seconds (undefined without one). */
export class RateLimitError extends JanuaError {
  readonly retryAfter: number | undefined;
  constructor(message: string, init: JanuaErrorInit & { retryAfter?: number } = {}) {
    super(message, init);
    this.retryAfter = init.retryAfter;
  }
}

/**
 * 403 MFA_REQUIRED, the answer of a password sign-in whose user has a second factor: finish it
 * with `mfaToken` at a second-factor endpoint, using one of `mfaMethods`.
 */
export class MfaRequiredError extends JanuaError {
  /** Not enumerable: logging the error does not print it. */
  declare readonly mfaToken: string;
  readonly mfaMethods: MfaMethod[];
  /** Seconds until `mfaToken` expires. */
  readonly mfaTokenExpiresIn: number | undefined;
  constructor(
    message: string,
    init: JanuaErrorInit & { mfaToken: string; mfaMethods: MfaMethod[]; mfaTokenExpiresIn?: number },
  ) {
    super(message, init);
    hidden(this, "mfaToken", init.mfaToken);
    this.mfaMethods = init.mfaMethods;
    this.mfaTokenExpiresIn = init.mfaTokenExpiresIn;
  }
}

/** No answer: connection refused, DNS failure, reset, or the timeout elapsed. */
export class NetworkError extends JanuaError {}
/** The per-attempt timeout (`timeoutMs`) elapsed before an answer arrived. */
export class TimeoutError extends NetworkError {}

type Plain = new (message: string, init?: JanuaErrorInit) => JanuaError;

const BY_CODE: Record<string, Plain> = {
  BAD_REQUEST: BadRequestError,
  AUTHENTICATION_ERROR: AuthenticationError,
  TOKEN_ERROR: TokenError,
  AUTHORIZATION_ERROR: AuthorizationError,
  NOT_FOUND_ERROR: NotFoundError,
  CONFLICT_ERROR: ConflictError,
  VALIDATION_ERROR: ValidationError,
  RATE_LIMIT_ERROR: RateLimitError,
  INTERNAL_ERROR: ServerError,
};

const BY_STATUS: Record<number, Plain> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: AuthorizationError,
  404: NotFoundError,
  409: ConflictError,
  422: ValidationError,
  429: RateLimitError,
};

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * The typed error for a non-2xx answer. `body` is the parsed body (problem+json when the server
 * sent one); `retryAfter` the parsed `Retry-After` header in seconds.
 */
export function errorFromResponse(
  status: number,
  headers: Headers,
  body: unknown,
  retryAfter?: number,
): JanuaError {
  const problem = body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  // RFC 6749 errors (the OAuth endpoints) carry `error` / `error_description` instead.
  const code = str(problem?.["code"]) ?? str(problem?.["error"]);
  const detail = str(problem?.["detail"]) ?? str(problem?.["error_description"]);
  const title = str(problem?.["title"]);
  const requestId = str(problem?.["request_id"]) ?? headers.get("x-request-id") ?? undefined;
  const message = `${status} ${code ?? "HTTP_ERROR"}: ${detail ?? title ?? "request failed"}`;
  const init: JanuaErrorInit = { status, code, detail, requestId, problem };

  if (code === "MFA_REQUIRED") {
    const methods = Array.isArray(problem?.["mfa_methods"]) ? (problem["mfa_methods"] as MfaMethod[]) : [];
    const expiresIn = problem?.["mfa_token_expires_in"];
    return new MfaRequiredError(message, {
      ...init,
      mfaToken: str(problem?.["mfa_token"]) ?? "",
      mfaMethods: methods,
      mfaTokenExpiresIn: typeof expiresIn === "number" ? expiresIn : undefined,
    });
  }
  const cls = (code !== undefined ? BY_CODE[code] : undefined) ?? BY_STATUS[status] ?? (status >= 500 ? ServerError : JanuaError);
  if (cls === ValidationError) {
    const raw = Array.isArray(problem?.["errors"]) ? (problem["errors"] as unknown[]) : [];
    const errors = raw
      .filter((e): e is Record<string, unknown> => e !== null && typeof e === "object")
      .map((e) => ({ pointer: String(e["pointer"] ?? ""), detail: String(e["detail"] ?? "") }));
    return new ValidationError(message, { ...init, errors });
  }
  if (cls === RateLimitError) return new RateLimitError(message, { ...init, retryAfter });
  return new cls(message, init);
}
