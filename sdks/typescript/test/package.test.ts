// Packaging: the version is the spec's, and the tarball `npm pack` makes installs into a fresh
// project where it works with `import` and `require` and type-checks for a TypeScript consumer.
// Needs the npm registry (or npm's cache) for the dependencies; no server.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url)); // build/test -> the package root
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

describe("packaging", () => {
  let work = "";
  let consumer = "";

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "janua-sdk-pack-"));
    consumer = join(work, "consumer");
    await mkdir(consumer);
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("has the spec's info.version", async () => {
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };
    const spec = JSON.parse(
      await readFile(join(root, "../../server/src/janua_server/contract/openapi.json"), "utf8"),
    ) as { info: { version: string } };
    assert.equal(pkg.version, spec.info.version);
  });

  it("packs, installs into a fresh project, imports, requires and type-checks", { timeout: 240_000 }, async () => {
    const packed = await run(npm, ["pack", "--json", "--pack-destination", work], { cwd: root });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(info);
    const files = info.files.map((f) => f.path);
    for (const needed of ["dist/esm/index.js", "dist/esm/index.d.ts", "dist/cjs/index.js", "dist/cjs/index.d.ts", "dist/cjs/package.json", "dist/esm/server.js", "dist/cjs/server.d.ts", "README.md"]) {
      assert.ok(files.includes(needed), `${needed} is not in the tarball`);
    }
    assert.ok(!files.some((f) => f.startsWith("test/") || f.startsWith("build/") || f.startsWith("src/")), files.join(", "));

    await writeFile(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    await run(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline", join(work, info.filename)], { cwd: consumer, timeout: 200_000 });

    const esm = await run(process.execPath, [
      "--input-type=module",
      "-e",
      `import { Janua, createJanuaClient, TokenError, AuthenticationError } from "@janua/sdk";
       import { verifyToken, InvalidTokenError } from "@janua/sdk/server";
       const janua = new Janua({ baseUrl: "http://localhost:1" });
       console.log(typeof janua.auth.login, typeof janua.sessions.list, typeof createJanuaClient,
         typeof verifyToken, new InvalidTokenError("x", "r") instanceof TokenError, new TokenError("x") instanceof AuthenticationError);`,
    ], { cwd: consumer });
    assert.equal(esm.stdout.trim(), "function function function function true true");

    const cjs = await run(process.execPath, [
      "-e",
      `const { Janua, createJanuaClient, TokenError } = require("@janua/sdk");
       const { verifyToken, InvalidTokenError } = require("@janua/sdk/server");
       const janua = new Janua({ baseUrl: "http://localhost:1" });
       createJanuaClient({ baseUrl: "http://localhost:1" });
       console.log(typeof janua.auth.login, typeof verifyToken, new InvalidTokenError("x", "r") instanceof TokenError);`,
    ], { cwd: consumer });
    assert.equal(cjs.stdout.trim(), "function function true");

    await writeFile(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], types: [], strict: true, noEmit: true },
        include: ["*.ts", "*.cts"],
      }),
    );
    await writeFile(
      join(consumer, "app.ts"),
      `import { Janua, ConflictError, type components } from "@janua/sdk";
import { verifyToken, type JanuaClaims } from "@janua/sdk/server";

type User = components["schemas"]["User"];

export async function main(token: string): Promise<string> {
  const janua = new Janua({ baseUrl: "http://localhost:4100" });
  await janua.auth.login({ email: "ada@example.com", password: "pw" });
  const me: User = await janua.auth.me();
  for await (const session of janua.sessions.list({ limit: 10 })) session.id.toUpperCase();
  const page = await janua.sessions.list().page();
  page.next_cursor?.toUpperCase();
  await janua.sessions.revoke({ session_id: me.id });
  // @ts-expect-error password is required
  await janua.auth.login({ email: "ada@example.com" });
  // @ts-expect-error session_id is required
  await janua.sessions.revoke({});
  // @ts-expect-error no such method
  await janua.auth.signInWithMagic();
  try { await janua.auth.me(); } catch (e) { if (e instanceof ConflictError) e.requestId?.toUpperCase(); }
  const claims: JanuaClaims = await verifyToken(token, { issuer: "http://localhost:4100", audience: "janua" });
  return claims.sid + me.email;
}
`,
    );
    await writeFile(
      join(consumer, "legacy.cts"),
      `import { Janua } from "@janua/sdk";
import { verifyToken } from "@janua/sdk/server";
export const janua: Janua = new Janua({ baseUrl: "http://localhost:4100" });
export const verify: typeof verifyToken = verifyToken;
`,
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    await run(process.execPath, [tsc, "-p", consumer], { cwd: consumer }).catch((error: { stdout?: string }) => {
      assert.fail(`the consumer does not type-check:\n${error.stdout ?? String(error)}`);
    });
  });
});
