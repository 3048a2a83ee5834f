// What the browser tests share: the app served by `vite preview` (proxying `/api` and
// `/.well-known` to JANUA_BASE_URL), Debian's headless Chromium through Playwright, and a watch
// for page errors and failed requests.
//
// `nox -s react` sets JANUA_APP_URL (http://localhost:<port>) and starts the server with that
// origin as PUBLIC_APP_URL: the mails link there, and it is the passkeys' origin (RP ID
// `localhost`). The test files run one after the other (`--test-concurrency=1`), each serving its
// app on that port in turn. Without JANUA_APP_URL any free port does (no passkeys then).

import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";

import { AxeBuilder } from "@axe-core/playwright";
import { chromium } from "playwright";
import { preview } from "vite";

export const BASE_URL = process.env.JANUA_BASE_URL;

// Fails the test file when a setting is missing; never skips (tests/e2e/js/env.js).
export { requireEnv } from "@janua/e2e-support/env";
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** The example app's folder (sdks/react/example), built by `npm test` before the tests run. */
export const EXAMPLE = fileURLToPath(new URL("../..", import.meta.url));
/** Where the tests leave their screenshots. */
export const SHOTS = process.env.JANUA_SCREENSHOT_DIR ?? join(tmpdir(), "janua-react-screenshots");

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `vite preview` of the built app in `root`; `url` is on `localhost`, a secure context. */
export async function serveApp(root, configFile = join(root, "vite.config.js")) {
  const fixed = process.env.JANUA_APP_URL;
  const port = fixed ? Number(new URL(fixed).port) : await freePort();
  const server = await preview({
    root,
    configFile,
    logLevel: "warn",
    preview: { host: "127.0.0.1", port, strictPort: true, open: false },
  });
  // `localhost` is a secure context (the `__Host-` cookies and WebAuthn need one).
  return { server, url: `http://localhost:${port}` };
}

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

/**
 * The app and a browser for the `describe` this is called in: its `before` serves the app
 * (`serve`, by default the built example) and launches Chromium, its `after` closes both. `url`
 * and `browser` are set once the `before` has run; `newPage(expected)` opens a page in a context
 * (cookie jar) of its own, with `problems` collected by `watch(page, expected)`.
 */
export function appInChromium(serve = () => serveApp(EXAMPLE)) {
  let server;
  const app = {
    /** @type {string} */ url: undefined,
    /** @type {import("playwright").Browser} */ browser: undefined,
    async newPage(expected) {
      const context = await app.browser.newContext();
      const page = await context.newPage();
      return { context, page, problems: watch(page, expected) };
    },
  };
  before(async () => {
    ({ server, url: app.url } = await serve());
    app.browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await app.browser?.close();
    await server?.close();
  });
  return app;
}

/**
 * Collects what should not happen on `page`: uncaught errors, console errors, and answers >= 400
 * other than those `expected(status, method, pathname)` allows (failed requests are checked by
 * URL: the console only says "Failed to load resource").
 */
export function watch(page, expected = () => false) {
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    const { pathname } = new URL(response.url());
    const method = response.request().method();
    if (response.status() >= 400 && !expected(response.status(), method, pathname)) problems.push(`${response.status()} ${method} ${pathname}`);
  });
  return problems;
}

/** The value of the HttpOnly refresh cookie the browser holds for `url`, or undefined. */
export async function refreshCookie(context, url) {
  return (await context.cookies(url)).find((c) => c.name === "__Host-janua_refresh" && c.value)?.value;
}

/** The refresh token an answer set as the `__Host-janua_refresh` cookie, or undefined. */
export async function refreshCookieSetBy(response) {
  for (const header of await response.headerValues("set-cookie")) {
    for (const line of header.split("\n")) {
      const match = /^__Host-janua_refresh=([^;]*)/.exec(line.trim());
      if (match) return match[1];
    }
  }
  return undefined;
}

/** WCAG 2.0 and 2.1, levels A and AA: the rules `expectAccessible` runs. */
export const WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/**
 * @janua/react's own theme: the `:root` block of its styles.css (the CSS variables' defaults),
 * which the example overrides with its own colours.
 */
const LIBRARY_DEFAULTS = (() => {
  const css = readFileSync(join(EXAMPLE, "..", "src", "styles.css"), "utf8");
  const variables = /:root\s*\{([^}]*)\}/.exec(css)?.[1];
  assert.ok(variables?.includes("--janua-color-primary"), "the :root variables of src/styles.css");
  return `:root:root {${variables}}`;
})();

/**
 * axe-core's WCAG 2.0/2.1 A and AA rules find nothing on `page` as it is now, styled as the
 * example styles it; and colour contrast holds as well with @janua/react's default theme (its
 * variables' defaults put back over the example's). A failure names each violation: rule id,
 * impact, the elements (CSS selectors), and what to do.
 */
export async function expectAccessible(page, label) {
  const found = (await new AxeBuilder({ page }).withTags(WCAG_A_AA).analyze()).violations.map((v) => ({ theme: "example theme", ...v }));
  const defaults = await page.addStyleTag({ content: LIBRARY_DEFAULTS });
  try {
    const contrast = await new AxeBuilder({ page }).withRules(["color-contrast"]).analyze();
    found.push(...contrast.violations.map((v) => ({ theme: "default theme", ...v })));
  } finally {
    await defaults.evaluate((style) => style.remove());
  }
  const report = found.map(
    (v) => `${label} (${v.theme}): ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})\n${v.nodes.map((n) => `    ${JSON.stringify(n.target)}: ${n.failureSummary}`).join("\n")}`,
  );
  if (report.length) assert.fail(`axe-core found WCAG A/AA violations:\n${report.join("\n")}`);
}
