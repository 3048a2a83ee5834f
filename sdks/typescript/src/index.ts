/**
 * Janua's TypeScript SDK: a fetch client typed from the OpenAPI contract.
 *
 * Request and response types come from `./generated/schema.ts`, which `python -m codegen`
 * writes from spec/openapi.yaml; nothing here restates them, so the client cannot drift from
 * the contract without failing to compile.
 */

import createClient from "openapi-fetch";
import type { Client, ClientOptions } from "openapi-fetch";

import type { paths } from "./generated/schema.js";

export type { components, operations, paths } from "./generated/schema.js";

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
 * A client whose `GET`, `POST`, ... take the spec's paths and return `{ data, error, response }`:
 * `data` is the typed success body, `error` the parsed problem details of a 4xx/5xx answer.
 */
export function createJanuaClient({ baseUrl, fetch, headers }: JanuaClientOptions): JanuaClient {
  return createClient<paths>({ baseUrl, fetch, headers });
}
