/**
 * Reading `@janua/sdk` errors by their fields (`code`, `status`), not `instanceof`, so they are
 * recognised even when an application bundles two copies of the SDK.
 */

import type { MfaMethod } from "@janua/sdk";

interface ErrorLike {
  status?: number;
  code?: string;
  detail?: string;
  message?: string;
  retryAfter?: number;
  errors?: { pointer: string; detail: string }[];
  mfaToken?: string;
  mfaMethods?: MfaMethod[];
  mfaTokenExpiresIn?: number;
}

function fields(error: unknown): ErrorLike {
  return error !== null && typeof error === "object" ? (error as ErrorLike) : {};
}

/** A sign-in that needs a second factor (`MfaRequiredError`): what `<MfaChallenge/>` needs. */
export interface MfaState {
  /** Single-use and short-lived; finishes the sign-in at a second-factor endpoint. */
  token: string;
  /** The factors the user enrolled: `totp`, `recovery_code`, `sms`, `passkey`. */
  methods: MfaMethod[];
  /** Seconds until `token` expires. */
  expiresIn?: number;
}

export function mfaStateOf(error: unknown): MfaState | null {
  const e = fields(error);
  if (e.code !== "MFA_REQUIRED" || typeof e.mfaToken !== "string") return null;
  const state: MfaState = { token: e.mfaToken, methods: e.mfaMethods ?? [] };
  if (e.mfaTokenExpiresIn !== undefined) state.expiresIn = e.mfaTokenExpiresIn;
  return state;
}

export function isAuthError(error: unknown): boolean {
  const e = fields(error);
  return e.status === 401 || e.code === "AUTHENTICATION_ERROR" || e.code === "TOKEN_ERROR";
}

export type ErrorContext = "sign-in" | "sign-up" | "mfa" | "passkey" | "generic";

/** A sentence for a person, from any error the SDK (or WebAuthn) throws. */
export function errorMessage(error: unknown, context: ErrorContext = "generic"): string {
  const e = fields(error);
  if (error instanceof Error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
    return "The passkey request was cancelled or timed out.";
  }
  if (e.code === "RATE_LIMIT_ERROR" || e.status === 429) {
    return e.retryAfter ? `Too many attempts. Try again in ${e.retryAfter} seconds.` : "Too many attempts. Try again later.";
  }
  if (e.status === undefined && e.code === undefined && error instanceof Error && error.name.endsWith("NetworkError")) {
    return "The server cannot be reached. Check your connection and try again.";
  }
  if (error instanceof Error && (error.name === "NetworkError" || error.name === "TimeoutError")) {
    return "The server cannot be reached. Check your connection and try again.";
  }
  if (context === "sign-in" && (e.code === "AUTHENTICATION_ERROR" || e.status === 401)) return "The email or password is incorrect.";
  if (context === "mfa" && (e.code === "AUTHENTICATION_ERROR" || e.status === 401)) return "That code is not valid. Try again.";
  if (context === "mfa" && e.code === "TOKEN_ERROR") return "This sign-in expired. Start again.";
  if (context === "passkey" && e.status === 401) return "This passkey could not be verified.";
  if (context === "sign-up" && (e.code === "CONFLICT_ERROR" || e.status === 409)) return "An account with this email already exists.";
  if (e.code === "VALIDATION_ERROR" && e.errors?.length) return e.errors.map((f) => f.detail).join(" ");
  if (e.detail) return e.detail;
  return error instanceof Error ? error.message : "Something went wrong. Try again.";
}

/** The field errors of a `ValidationError`, keyed by the body field (`#/password` -> `password`). */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields(error).errors ?? []) {
    const name = f.pointer.replace(/^#?\/(body\/)?/, "").split("/")[0] ?? "";
    if (name) out[name] = out[name] ? `${out[name]} ${f.detail}` : f.detail;
  }
  return out;
}
