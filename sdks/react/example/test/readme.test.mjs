// The README's quick start runs as written. Its three code blocks (each after a
// `<!-- quick-start: <file> -->` comment) are the source of truth: they are written into a
// fresh app (Vite's react-ts template's index.html beside them), type-checked, built with
// `vite build` and served with `vite preview` (their own vite.config.ts: the proxy to
// JANUA_BASE_URL), and a user signs up, reloads, signs out and in again in Chromium, seeing what
// the README says they will.
//
// Nothing is installed: the app's node_modules links the example's packages, and holds
// @janua/react as `npm install` would (its package.json and dist/, without its own
// node_modules), so there is one React, as in a real app.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";

import { build } from "vite";

import { appInChromium, EXAMPLE, requireEnv, serveApp, SHOTS } from "./support/app.mjs";

const pkg = join(EXAMPLE, ".."); // sdks/react

/** `{ "src/App.tsx": "...", ... }`: every fenced block right after a quick-start comment. */
function quickStartFiles(readme) {
  const files = {};
  for (const [, path, code] of readme.matchAll(/<!-- quick-start: (\S+) -->\n```[a-z]*\n([\s\S]*?)```/g)) files[path] = code;
  return files;
}

// Vite's react-ts template's index.html (create-vite), without its favicon.
const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>Vite + React + TS</title>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/src/main.tsx"></script>
  </body>
</html>
`;

// Its package.json, as the template has it (ESM), with what the README installs.
const PACKAGE_JSON = {
  name: "my-app",
  private: true,
  version: "0.0.0",
  type: "module",
  scripts: { dev: "vite", build: "tsc -b && vite build", preview: "vite preview" },
  dependencies: { "@janua/react": "*", "@janua/sdk": "*", react: "*", "react-dom": "*" },
};

/** node_modules for the scratch app: links to the example's packages, @janua/react as installed. */
function installPackages(app) {
  const from = join(EXAMPLE, "node_modules");
  const to = join(app, "node_modules");
  mkdirSync(join(to, "@janua"), { recursive: true });
  for (const name of readdirSync(from)) {
    if (name.startsWith(".") || name === "@janua") continue;
    symlinkSync(join(from, name), join(to, name));
  }
  symlinkSync(realpathSync(join(from, "@janua", "sdk")), join(to, "@janua", "sdk"));
  const installed = join(to, "@janua", "react");
  const { files } = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  for (const entry of ["package.json", ...files]) cpSync(join(pkg, entry), join(installed, entry), { recursive: true });
}

/** `tsc --noEmit` over the three files, strict, with React's and Node's types from the package's devDependencies. */
async function typecheck(app) {
  const types = join(pkg, "node_modules", "@types");
  const config = {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022", "DOM", "DOM.Iterable"],
      module: "ESNext",
      moduleResolution: "bundler",
      jsx: "react-jsx",
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
      typeRoots: [types],
      paths: {
        react: [join(types, "react")],
        "react/*": [join(types, "react", "*")],
        "react-dom/*": [join(types, "react-dom", "*")],
      },
    },
    include: ["src", "vite.config.ts"],
  };
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify(config, null, 2));
  const tsc = join(pkg, "node_modules", "typescript", "bin", "tsc");
  await promisify(execFile)(process.execPath, [tsc, "-p", join(app, "tsconfig.json")]).catch((error) => {
    assert.fail(`the README's quick start does not type-check:\n${error.stdout}${error.stderr}`);
  });
}

describe("README quick start", () => {
  const readme = readFileSync(join(pkg, "README.md"), "utf8");
  const files = quickStartFiles(readme);

  it("has the three files of a Vite app, marked for this test", () => {
    assert.deepEqual(Object.keys(files).sort(), ["src/App.tsx", "src/main.tsx", "vite.config.ts"]);
  });

  describe("built as written, in Chromium", () => {
    let dir; // the scratch app

    before(async () => {
      requireEnv();
      dir = mkdtempSync(join(tmpdir(), "janua-react-readme-"));
      for (const [path, code] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), code);
      }
      writeFileSync(join(dir, "index.html"), INDEX_HTML);
      writeFileSync(join(dir, "package.json"), `${JSON.stringify(PACKAGE_JSON, null, 2)}\n`);
      installPackages(dir);
      await Promise.all([typecheck(dir), build({ root: dir, configFile: join(dir, "vite.config.ts"), logLevel: "warn" })]);
    });

    // Served and opened once built (hooks run in the order they are declared).
    const app = appInChromium(() => serveApp(dir, join(dir, "vite.config.ts")));

    after(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("signs up, greets the user by name, survives a reload, signs out and in again", async () => {
      const { context, page, problems } = await app.newPage();
      const name = "Ada Lovelace";
      const email = `react-readme-${randomUUID()}@example.com`;
      const password = `correct horse battery ${randomUUID()}`;

      // "the sign-in form; 'No account? Sign up' turns it into the sign-up form"
      await page.goto(app.url);
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      await page.getByRole("button", { name: "No account? Sign up" }).click();
      await page.getByRole("heading", { name: "Create your account" }).waitFor();
      await page.getByLabel("Name").fill(name);
      await page.getByLabel("Email address").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Create account" }).click();

      // "the page says 'Welcome, ' and your name, beside the organization switcher and your avatar"
      await page.getByRole("heading", { name: `Welcome, ${name}` }).waitFor();
      await page.getByRole("button", { name: "Active organization: Personal account" }).waitFor();
      await page.getByRole("button", { name: `Account menu for ${name}` }).waitFor();
      await page.screenshot({ path: join(SHOTS, "readme-welcome.png"), fullPage: true });

      // "A reload keeps you signed in: the refresh cookie signs you back in."
      await page.reload();
      await page.getByRole("heading", { name: `Welcome, ${name}` }).waitFor();

      // "your avatar, whose menu signs you out (back to the sign-in form)"
      await page.getByRole("button", { name: `Account menu for ${name}` }).click();
      await page.getByRole("menuitem", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      await page.getByLabel("Email address").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Continue" }).click();
      await page.getByRole("heading", { name: `Welcome, ${name}` }).waitFor();

      assert.deepEqual(problems, []);
      await context.close();
    });
  });
});
