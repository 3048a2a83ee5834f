// What every live-server suite needs before its first step. A missing setting fails the file at
// once, naming what to set: a suite without its server never passes by skipping.
import assert from "node:assert/strict";

/**
 * `JANUA_BASE_URL` and the other settings `names`, by name; throws when any is unset
 * (`nox -s e2e` and `nox -s react` set them all).
 * @param {...string} names
 * @returns {Record<string, string>}
 */
export function requireEnv(...names) {
  const wanted = ["JANUA_BASE_URL", ...names];
  const missing = wanted.filter((name) => !process.env[name]);
  if (missing.length) {
    throw new Error(`${missing.join(", ")} not set: run the suite through nox, which starts the server and sets them`);
  }
  return Object.fromEntries(wanted.map((name) => [name, /** @type {string} */ (process.env[name])]));
}

/**
 * What an earlier step of an ordered suite produced; fails the step saying so when it is missing.
 * @template T
 * @param {T | undefined | null} value
 * @param {string} [what]
 * @returns {T}
 */
export function need(value, what = "a value") {
  assert.ok(value !== undefined && value !== null, `${what} is missing: an earlier step failed`);
  return value;
}
