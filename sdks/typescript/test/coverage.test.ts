// Operation coverage: every operationId of the spec is wired into the facade, and wired right.
// Reads the bundled spec (server/src/janua_server/contract/openapi.json, what codegen produced
// the generated types from) and holds `ROUTES` against it: method, path, security, pagination,
// token handling and the namespace (= tag); then calls every namespaced method through a
// recording fetch and checks it sends that operation. No server needed.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import { Janua, ROUTES, type RouteFlags } from "@janua/sdk";

const SPEC_URL = new URL("../../../../server/src/janua_server/contract/openapi.json", import.meta.url);

type Json = Record<string, unknown>;
interface SpecOperation {
  id: string;
  method: string;
  path: string;
  op: Json;
}

const spec = JSON.parse(readFileSync(SPEC_URL, "utf8")) as Json;
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

function resolve(node: unknown): Json {
  let current = node as Json;
  for (let depth = 0; typeof current?.["$ref"] === "string" && depth < 20; depth++) {
    const ref = current["$ref"] as string;
    assert.ok(ref.startsWith("#/"), `only local $refs are supported: ${ref}`);
    current = ref
      .slice(2)
      .split("/")
      .reduce<unknown>((at, key) => (at as Json)[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec) as Json;
  }
  return current ?? {};
}

const specOperations: SpecOperation[] = Object.entries(spec["paths"] as Json).flatMap(([path, item]) =>
  METHODS.filter((m) => (item as Json)[m]).map((m) => {
    const op = (item as Json)[m] as Json;
    return { id: op["operationId"] as string, method: m.toUpperCase(), path, op };
  }),
);

function parameters(operation: SpecOperation): Json[] {
  const shared = ((spec["paths"] as Json)[operation.path] as Json)["parameters"] as unknown[] | undefined;
  return [...(shared ?? []), ...((operation.op["parameters"] as unknown[] | undefined) ?? [])].map(resolve);
}

/** Takes the Janua session token (`bearerAuth`); OAuth client or token credentials do not count. */
function authed(operation: SpecOperation): boolean {
  const security = (operation.op["security"] ?? spec["security"] ?? []) as Json[];
  return security.some((requirement) => "bearerAuth" in requirement);
}

function redirects(operation: SpecOperation): boolean {
  return Object.keys(operation.op["responses"] as Json).some((status) => /^3\d\d$/.test(status));
}

function successes(operation: SpecOperation): [number, Json][] {
  return Object.entries(operation.op["responses"] as Json)
    .filter(([status]) => /^2\d\d$/.test(status))
    .map(([status, response]) => [Number(status), resolve(response)]);
}

function jsonSchema(response: Json): Json | undefined {
  const content = response["content"] as Json | undefined;
  const media = (content?.["application/json"] ?? content?.["application/problem+json"]) as Json | undefined;
  return media ? resolve(media["schema"]) : undefined;
}

function paginated(operation: SpecOperation): boolean {
  const hasCursor = parameters(operation).some((p) => p["in"] === "query" && p["name"] === "cursor");
  const schema = successes(operation).map(([, r]) => jsonSchema(r))[0];
  const properties = (schema?.["properties"] ?? {}) as Json;
  return hasCursor && resolve(properties["data"])["type"] === "array" && "next_cursor" in properties;
}

const TOKEN_PAIR = "#/components/schemas/TokenPair";
function carriesTokens(operation: SpecOperation): boolean {
  return successes(operation).some(([, response]) => {
    const media = ((response["content"] as Json | undefined)?.["application/json"] ?? {}) as Json;
    const raw = media["schema"] as Json | undefined;
    if (raw?.["$ref"] === TOKEN_PAIR) return true;
    const tokens = ((resolve(raw)["properties"] ?? {}) as Json)["tokens"] as Json | undefined;
    return tokens?.["$ref"] === TOKEN_PAIR;
  });
}

function bodyMedia(operation: SpecOperation): string[] {
  const body = operation.op["requestBody"] ? resolve(operation.op["requestBody"]) : undefined;
  return Object.keys((body?.["content"] as Json | undefined) ?? {});
}

function camel(tag: string): string {
  return tag.replace(/[-_ ]+(\w)/g, (_, c: string) => c.toUpperCase());
}

const routes = ROUTES as Record<string, readonly [string, string, RouteFlags?]>;

/** Everything wrong with the wiring of one spec operation (empty when right). */
function wiringProblems(operation: SpecOperation): string[] {
  const route = routes[operation.id];
  if (!route) return [`${operation.id} (${operation.method} ${operation.path}) is not wired in ROUTES`];
  const [endpoint, call, flags = {}] = route;
  const problems: string[] = [];
  const say = (what: string) => problems.push(`${operation.id}: ${what}`);
  if (endpoint !== `${operation.method} ${operation.path}`) say(`wired to "${endpoint}", the spec says "${operation.method} ${operation.path}"`);
  const tags = ((operation.op["tags"] as string[] | undefined) ?? []).map(camel);
  const namespace = call.split(".")[0] ?? "";
  if (!tags.includes(namespace)) say(`namespace "${namespace}" is none of its tags (${tags.join(", ")})`);
  if (Boolean(flags.public) === authed(operation)) say(authed(operation) ? "the spec requires a bearer token: drop `public`" : "the spec has `security: []`: mark it `public`");
  if (Boolean(flags.page) !== paginated(operation)) say(paginated(operation) ? "is cursor-paginated: mark it `page`" : "is not cursor-paginated: drop `page`");
  if ((flags.tokens === "store") !== carriesTokens(operation)) say(carriesTokens(operation) ? 'answers a TokenPair: mark it `tokens: "store"`' : 'answers no TokenPair: drop `tokens: "store"`');
  const media = bodyMedia(operation);
  const form = media.length > 0 && !media.includes("application/json") && media.includes("application/x-www-form-urlencoded");
  if (Boolean(flags.form) !== form) say(form ? "takes a form body: mark it `form`" : "takes no form body: drop `form`");
  const queryNames = parameters(operation).filter((p) => p["in"] === "query").map((p) => String(p["name"])).sort();
  // GET / HEAD / OPTIONS send every non-path key as query; other methods only those listed.
  const expectedQuery = ["GET", "HEAD", "OPTIONS"].includes(operation.method) || flags.nest ? [] : queryNames;
  if (JSON.stringify([...(flags.query ?? [])].sort()) !== JSON.stringify(expectedQuery)) {
    say(`\`query\` must list the query parameters of a ${operation.method}: [${expectedQuery.join(", ")}]`);
  }
  if (Boolean(flags.redirect) !== redirects(operation)) say(redirects(operation) ? "answers with a redirect: mark it `redirect`" : "answers no redirect: drop `redirect`");
  // The method's one argument flattens parameters and body fields: their names must not clash.
  const body = operation.op["requestBody"] ? resolve(operation.op["requestBody"]) : undefined;
  const bodySchema = resolve(((body?.["content"] as Json | undefined)?.[media[0] ?? ""] as Json | undefined)?.["schema"]);
  const fields = Object.keys((bodySchema["properties"] ?? {}) as Json);
  const clashes = parameters(operation).map((p) => String(p["name"])).filter((name) => fields.includes(name));
  if (Boolean(flags.nest) !== clashes.length > 0) {
    say(clashes.length ? `parameters and body fields share names (${clashes.join(", ")}): mark it \`nest\`` : "no name clash: drop `nest`");
  }
  const allOptional = body?.["required"] === true && media.includes("application/json") && ((bodySchema["required"] as string[] | undefined) ?? []).length === 0;
  if (Boolean(flags.body) !== allOptional) say(allOptional ? "requires a JSON body with only optional fields: mark it `body`" : "drop `body`");
  const documented = Object.keys(operation.op["responses"] as Json).map(Number);
  for (const status of flags.ok ?? []) if (!documented.includes(status)) say(`ok: ${status} is not a documented response`);
  return problems;
}

describe("operation coverage against the spec", () => {
  it("reads a spec with operations", () => {
    assert.ok(specOperations.length >= 19, `only ${specOperations.length} operations in ${SPEC_URL.pathname}`);
    assert.equal(new Set(specOperations.map((o) => o.id)).size, specOperations.length, "duplicate operationIds");
  });

  it("wires every spec operationId, as the spec describes it", () => {
    const problems = specOperations.flatMap(wiringProblems);
    assert.deepEqual(problems, [], `\n${problems.join("\n")}\n`);
  });

  it("wires nothing the spec does not have, and no method twice", () => {
    const known = new Set(specOperations.map((o) => o.id));
    assert.deepEqual(Object.keys(routes).filter((id) => !known.has(id)), [], "ROUTES names operations the spec lacks");
    const calls = Object.values(routes).map((r) => r[1]);
    assert.deepEqual(calls.filter((c, i) => calls.indexOf(c) !== i), [], "two operations share a method name");
  });

  it("sends each operation from its namespaced method", async () => {
    const problems: string[] = [];
    for (const operation of specOperations) {
      const route = routes[operation.id];
      if (!route) continue; // reported above
      const [, call, flags = {}] = route;
      const sent: { method: string; url: URL; headers: Headers }[] = [];
      const [status, response] = successes(operation)[0] ?? [200, {}];
      const answer = flags.page
        ? { data: [], next_cursor: null }
        : flags.tokens === "store"
          ? { user: {}, tokens: { access_token: "new", token_type: "Bearer", expires_in: 60, refresh_token: "r2", refresh_token_expires_in: 600 }, ...(operation.id === "refreshToken" ? { access_token: "new", expires_in: 60, refresh_token: "r2" } : {}) }
          : {};
      const janua = new Janua({
        baseUrl: "http://janua.test",
        accessToken: "access-token",
        refreshToken: "refresh-token",
        maxRetries: 0,
        fetch: async (input, init) => {
          sent.push({ method: init?.method ?? "GET", url: new URL(String(input)), headers: new Headers(init?.headers) });
          const empty = status === 204 || !response["content"];
          return new Response(empty ? null : JSON.stringify(answer), { status, headers: { "content-type": "application/json" } });
        },
      });
      const input: Record<string, string> = {};
      for (const p of parameters(operation)) if (p["in"] === "path") input[String(p["name"])] = `p-${String(p["name"])}`;
      const [namespace = "", name = ""] = call.split(".");
      const method = (janua as unknown as Record<string, Record<string, unknown> | undefined>)[namespace]?.[name];
      if (typeof method !== "function") {
        problems.push(`${operation.id}: janua.${call} is not a function`);
        continue;
      }
      try {
        const result = (method as (input: unknown) => unknown)(input);
        await (flags.page ? (result as { page(): Promise<unknown> }).page() : result);
      } catch (error) {
        problems.push(`${operation.id}: janua.${call}() threw ${String(error)}`);
        continue;
      }
      const expectedPath = operation.path.replace(/\{([^}]+)\}/g, (_, n: string) => `p-${n}`);
      const got = sent.map((s) => `${s.method} ${s.url.pathname}`);
      if (JSON.stringify(got) !== JSON.stringify([`${operation.method} ${expectedPath}`])) {
        problems.push(`${operation.id}: janua.${call}() sent [${got.join(", ")}], expected ${operation.method} ${expectedPath}`);
        continue;
      }
      const bearer = sent[0]?.headers.get("authorization") === "Bearer access-token";
      if (bearer !== authed(operation)) problems.push(`${operation.id}: janua.${call}() ${bearer ? "sent" : "did not send"} the bearer token`);
    }
    assert.deepEqual(problems, [], `\n${problems.join("\n")}\n`);
  });
});
