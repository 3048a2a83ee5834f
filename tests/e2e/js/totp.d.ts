// The types of totp.js (hand-written: the package has no build step).

/** The 30-second time step of `ms` (milliseconds since the epoch; default now). */
export function timeStep(ms?: number): number;

/** The RFC 6238 code (HMAC-SHA-1, 6 digits) of time step `step` for the base32 `secret`. */
export function totp(secret: string, step: number): string;
