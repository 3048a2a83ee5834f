/**
 * `@janua/sdk`: the Janua client for browsers and Node 20+.
 *
 * - `Janua`: the facade (namespaces per spec tag, token refresh, retries, typed errors,
 *   pagination). Start here.
 * - `createJanuaClient`: the low-level openapi-fetch client typed from the spec, for full control.
 * - `@janua/sdk/server`: `verifyToken`, for services that check Janua access tokens themselves.
 *
 * Request and response types come from `./generated/schema.ts`, which `python -m codegen`
 * writes from spec/openapi.yaml; nothing here restates them, so the client cannot drift from
 * the contract without failing to compile.
 */

import createClient from "openapi-fetch";
import type { Client, ClientOptions } from "openapi-fetch";

import type { paths } from "./generated/schema.js";

export type { components, operations, paths } from "./generated/schema.js";
export { Janua, CSRF_COOKIE, CSRF_HEADER, type JanuaOptions } from "./client.js";
export {
  ROUTES,
  type CallOptions,
  type Endpoint,
  type Input,
  type MethodOf,
  type Namespaces,
  type OperationId,
  type Page,
  type PageInput,
  type PageItem,
  type Paginator,
  type Result,
  type Route,
  type RouteFlags,
  type WiredOperationId,
} from "./operations.js";
export {
  AuthenticationError,
  AuthorizationError,
  BadRequestError,
  ConflictError,
  errorFromResponse,
  JanuaError,
  MfaRequiredError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError,
  TokenError,
  ValidationError,
  type ErrorCode,
  type FieldError,
  type JanuaErrorInit,
  type MfaMethod,
  type Problem,
} from "./errors.js";
export { backoffDelay, parseRetryAfter, type RetryOptions } from "./retry.js";
export {
  BrowserTokenStorage,
  MemoryTokenStorage,
  type Tokens,
  type TokenStorage,
  type WebStorageLike,
} from "./storage.js";

export interface JanuaClientOptions {
  /** Where the server serves the API, e.g. `http://localhost:4100` (no `/api/v1`: paths carry it). */
  baseUrl: string;
  /** Replaces `globalThis.fetch`; it is called with a single `Request`. */
  fetch?: ClientOptions["fetch"];
  /** Sent with every request; per-call `headers` add to or override them. */
  headers?: ClientOptions["headers"];
}

export type JanuaClient = Client<paths>;

/**
 * The low-level client: `GET`, `POST`, ... take the spec's paths and return `{ data, error, response }`:
 * `data` is the typed success body, `error` the parsed problem details of a 4xx/5xx answer.
 * No refresh, retries or typed errors: that is what `Janua` adds.
 */
export function createJanuaClient({ baseUrl, fetch, headers }: JanuaClientOptions): JanuaClient {
  return createClient<paths>({ baseUrl, fetch, headers });
}
