// Packaging: the version is the spec's, and the tarballs `npm pack` makes of @janua/sdk and
// @janua/react install together into a fresh project, where @janua/react works with `import`
// (ESM) and `require` (CommonJS, the same exports), type-checks for a strict TypeScript consumer
// of either kind, and serves `@janua/react/styles.css`. Needs the npm registry (or npm's cache)
// for react, react-dom and @janua/sdk's dependencies; no server. Run after `npm run build`
// (`npm test` does): it packs what dist/ holds.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url)); // build/test -> the package root
const sdkRoot = join(root, "../typescript");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

interface Manifest {
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, "utf8")) as T;
}

async function specVersion(): Promise<string> {
  const spec = await readJson<{ info: { version: string } }>(join(root, "../../server/src/janua_server/contract/openapi.json"));
  return spec.info.version;
}

/** `npm pack` into `dest`; the tarball's name and file list. */
async function pack(dir: string, dest: string): Promise<{ filename: string; files: string[] }> {
  // --ignore-scripts: @janua/react's `prepack` rebuilds, and its `clean` would delete build/,
  // where this test runs from; `npm test` has just built dist/.
  const packed = await run(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", dest], { cwd: dir });
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  assert.ok(info);
  return { filename: join(dest, info.filename), files: info.files.map((f) => f.path) };
}

/** Node with `args` in `cwd`; its stdout, trimmed. */
async function node(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd });
  return stdout.trim();
}

describe("packaging", () => {
  let work = "";
  let consumer = "";

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "janua-react-pack-"));
    consumer = join(work, "consumer");
    await mkdir(consumer);
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("has the spec's info.version, and asks for @janua/sdk of that version", async () => {
    const version = await specVersion();
    const pkg = await readJson<Manifest>(join(root, "package.json"));
    assert.equal(pkg.version, version);
    assert.equal(pkg.peerDependencies?.["@janua/sdk"], `^${version}`);
  });

  it("packs, installs into a fresh project with @janua/sdk, imports, requires, type-checks", { timeout: 240_000 }, async () => {
    const version = await specVersion();
    const sdk = await pack(sdkRoot, work);
    const react = await pack(root, work);
    for (const needed of [
      "package.json",
      "README.md",
      "dist/esm/index.js",
      "dist/esm/index.d.ts",
      "dist/cjs/index.js",
      "dist/cjs/index.d.ts",
      "dist/cjs/package.json",
      "dist/styles.css",
    ]) {
      assert.ok(react.files.includes(needed), `${needed} is not in the tarball`);
    }
    const stray = react.files.filter((f) => !f.startsWith("dist/") && f !== "package.json" && f !== "README.md");
    assert.deepEqual(stray, [], "the tarball holds more than dist/, package.json and README.md");

    const pkg = await readJson<Manifest>(join(root, "package.json"));
    await writeFile(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    // The React the package is developed with (so npm's cache has it), as an app would add it.
    const dev = pkg.devDependencies ?? {};
    const withReact = ["react", "react-dom", "@types/react", "@types/react-dom"].map((name) => `${name}@${dev[name]}`);
    await run(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline", sdk.filename, react.filename, ...withReact], {
      cwd: consumer,
      timeout: 200_000,
    });

    // What the tarball declares: @janua/sdk by the spec's version, no `file:` anywhere a consumer reads.
    const installed = await readJson<Manifest>(join(consumer, "node_modules/@janua/react/package.json"));
    assert.equal(installed.version, version);
    assert.equal(installed.peerDependencies?.["@janua/sdk"], `^${version}`);
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"] as const) {
      for (const [name, spec] of Object.entries(installed[field] ?? {})) {
        assert.doesNotMatch(spec, /^(file|link|workspace):/, `${field}.${name} is ${spec}`);
      }
    }
    // One @janua/sdk, the app's, so a `client={new Janua(...)}` is the type and the instance the provider expects.
    assert.ok(!existsSync(join(consumer, "node_modules/@janua/react/node_modules")), "@janua/react installed its own copy of something");

    const esm = await node(consumer, [
      "--input-type=module",
      "-e",
      `import * as janua from "@janua/react";
       import { readFileSync } from "node:fs";
       import { fileURLToPath } from "node:url";
       const entry = fileURLToPath(import.meta.resolve("@janua/react"));
       const css = readFileSync(fileURLToPath(import.meta.resolve("@janua/react/styles.css")), "utf8");
       console.log(JSON.stringify({
         entry: entry.slice(entry.indexOf("node_modules")),
         firstLine: readFileSync(entry, "utf8").split("\\n")[0],
         exports: Object.keys(janua).sort(),
         types: [typeof janua.JanuaProvider, typeof janua.useAuth, typeof janua.SignIn],
         css: css.includes(".janua-root"),
       }));`,
    ]);
    // Node >= 20.19 can `require` an ES module; without that, a package without a CommonJS
    // build fails here as it would in older Nodes and in tools that expect `require` to load CJS.
    const noRequireEsm = process.allowedNodeEnvironmentFlags.has("--no-experimental-require-module") ? ["--no-experimental-require-module"] : [];
    const cjs = await node(consumer, [
      ...noRequireEsm,
      "-e",
      `const janua = require("@janua/react");
       const { readFileSync } = require("node:fs");
       const entry = require.resolve("@janua/react");
       const css = readFileSync(require.resolve("@janua/react/styles.css"), "utf8");
       console.log(JSON.stringify({
         entry: entry.slice(entry.indexOf("node_modules")),
         firstLine: readFileSync(entry, "utf8").split("\\n")[0],
         exports: Object.keys(janua).filter((name) => name !== "__esModule").sort(),
         types: [typeof janua.JanuaProvider, typeof janua.useAuth, typeof janua.SignIn],
         css: css.includes(".janua-root"),
         module: Object.prototype.toString.call(janua),
       }));`,
    ]);
    const imported = JSON.parse(esm) as { entry: string; firstLine: string; exports: string[]; types: string[]; css: boolean };
    const required = JSON.parse(cjs) as typeof imported & { module: string };
    assert.equal(imported.entry, join("node_modules/@janua/react/dist/esm/index.js"));
    assert.equal(required.entry, join("node_modules/@janua/react/dist/cjs/index.js"));
    assert.equal(required.module, "[object Object]", "require() returned an ES module namespace, not CommonJS exports");
    for (const loaded of [imported, required]) {
      assert.equal(loaded.firstLine, '"use client";', `${loaded.entry} does not start with "use client"`);
      assert.deepEqual(loaded.types, ["function", "function", "function"]);
      assert.ok(loaded.css, "@janua/react/styles.css does not resolve to the stylesheet");
    }
    assert.ok(imported.exports.length > 20, imported.exports.join(", "));
    assert.deepEqual(required.exports, imported.exports);

    // A strict TypeScript consumer (node16 resolution): app.tsx is ESM (the `import` types),
    // legacy.cts is CommonJS (the `require` types). skipLibCheck, as apps have it (checking
    // @types/react and the DOM lib takes seconds): a declaration of ours that failed to resolve
    // would turn into `any`, which the @ts-expect-error lines below would then report.
    await writeFile(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "Node16",
          moduleResolution: "Node16",
          lib: ["ES2022", "DOM", "DOM.Iterable"],
          jsx: "react-jsx",
          types: [],
          strict: true,
          skipLibCheck: true,
          noEmit: true,
        },
        include: ["*.tsx", "*.cts"],
      }),
    );
    await writeFile(
      join(consumer, "app.tsx"),
      `import { Janua } from "@janua/sdk";
import { JanuaProvider, SignedIn, SignedOut, SignIn, UserButton, useAuth, type SignInProps, type User } from "@janua/react";
import type { ReactNode } from "react";

function Account(): ReactNode {
  const { isLoaded, isSignedIn, userId, signIn, signOut, getToken } = useAuth();
  const go = async (): Promise<User | null> => {
    const result = await signIn({ email: "ada@example.com", password: "pw" });
    // @ts-expect-error password is required
    await signIn({ email: "ada@example.com" });
    const token: string | null = await getToken();
    token?.toUpperCase();
    await signOut();
    return result.status === "complete" ? result.user : null;
  };
  void go;
  return isLoaded && isSignedIn ? <p>{userId?.toUpperCase()}</p> : null;
}

const props: SignInProps = { afterSignInUrl: "/", passkeys: false };

export function App(): ReactNode {
  return (
    <JanuaProvider baseUrl="https://id.example.com" navigate={(to) => console.log(to)}>
      <SignedOut>
        <SignIn {...props} signUpUrl="/sign-up" onSignIn={(user) => user.email.toUpperCase()} />
      </SignedOut>
      <SignedIn>
        <UserButton />
        <Account />
      </SignedIn>
    </JanuaProvider>
  );
}

export function WithClient(): ReactNode {
  // The app's own @janua/sdk client: the same class the provider's props name.
  const janua = new Janua({ baseUrl: "https://id.example.com" });
  return (
    <JanuaProvider client={janua}>
      {/* @ts-expect-error no such prop */}
      <SignIn afterSignInUrl="/" notAProp />
    </JanuaProvider>
  );
}
`,
    );
    await writeFile(
      join(consumer, "legacy.cts"),
      `import { JanuaProvider, SignIn, useAuth, type UseAuthResult } from "@janua/react";
export const provider: typeof JanuaProvider = JanuaProvider;
export const signIn: typeof SignIn = SignIn;
export const auth: () => UseAuthResult = useAuth;
// @ts-expect-error password is required
export const incomplete: Parameters<UseAuthResult["signIn"]>[0] = { email: "ada@example.com" };
// @ts-expect-error no such prop
export const wrong: Parameters<typeof SignIn>[0] = { notAProp: true };
`,
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    await run(process.execPath, [tsc, "-p", consumer], { cwd: consumer }).catch((error: { stdout?: string }) => {
      assert.fail(`the consumer does not type-check:\n${error.stdout ?? String(error)}`);
    });
  });
});
