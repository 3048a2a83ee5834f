// The README's quick start is examples/quickstart.ts, shown verbatim, and it runs as written
// against the live server (JANUA_BASE_URL).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { requireEnv } from "@janua/e2e-support/env";

const root = new URL("../../", import.meta.url); // build/test -> the package root
const { JANUA_BASE_URL: baseUrl } = requireEnv();

describe("README quick start", () => {
  it("shows examples/quickstart.ts verbatim", () => {
    const readme = readFileSync(new URL("README.md", root), "utf8");
    const quickstart = readFileSync(new URL("examples/quickstart.ts", root), "utf8");
    const section = readme.split("## Quick start")[1] ?? "";
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    assert.equal(block, quickstart);
  });

  it("runs against the live server", async () => {
    const script = fileURLToPath(new URL("build/examples/quickstart.js", root));
    const { stdout } = await promisify(execFile)(process.execPath, [script], {
      env: { ...process.env, JANUA_BASE_URL: baseUrl },
      timeout: 60_000,
    });
    const lines = stdout.trim().split("\n");
    assert.match(lines[0] ?? "", /^true ada-.+@example\.com$/);
    assert.ok(lines.some((line) => line.includes("(this one)")), stdout);
    assert.match(lines.at(-1) ?? "", /^409 CONFLICT_ERROR \S+$/);
  });
});
