// RFC 6238 TOTP with the authenticator-app defaults (HMAC-SHA-1, 6 digits, 30-second steps), for
// the scenario's MFA steps (tests/e2e/scenario.md). Types in totp.d.ts.

import { createHmac } from "node:crypto";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** @param {string} secret */
function base32Decode(secret) {
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of secret.toUpperCase().replace(/=+$/, "")) {
    const index = BASE32.indexOf(char);
    if (index === -1) throw new Error(`not base32: ${secret}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/**
 * The 30-second time step of `ms` (milliseconds since the epoch).
 * @param {number} [ms]
 */
export function timeStep(ms = Date.now()) {
  return Math.floor(ms / 1000 / 30);
}

/**
 * The code of time step `step` for the base32 `secret`.
 * @param {string} secret
 * @param {number} step
 */
export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(code % 1_000_000).padStart(6, "0");
}
