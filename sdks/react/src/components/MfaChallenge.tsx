import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";

import { errorMessage, type MfaState } from "../errors.js";
import { useAuth, useJanua } from "../hooks.js";
import { usePasskeys } from "../passkeys.js";
import type { MfaChallengeMethod, User } from "../provider.js";
import { Card, Field, FormError, Spinner } from "./ui.js";

export interface MfaChallengeProps {
  /** From `signIn()`'s `{ status: "needs_mfa", mfa }` (or an `MfaRequiredError`). */
  mfa: MfaState;
  /** Called with the signed-in user. */
  onComplete?(user: User): void;
  /** "Back": return to the password step. */
  onCancel?(): void;
  className?: string;
}

const LABELS: Record<MfaChallengeMethod, { tab: string; field: string; hint: string }> = {
  totp: { tab: "Authenticator app", field: "Authentication code", hint: "The 6-digit code from your authenticator app." },
  sms: { tab: "Text message", field: "Code from the text message", hint: "We sent a 6-digit code to your phone." },
  recovery_code: { tab: "Recovery code", field: "Recovery code", hint: "One of the recovery codes you saved (xxxxx-xxxxx)." },
};

/**
 * The second step of a sign-in: a TOTP, SMS or recovery code (and a passkey, when the user has
 * one and the browser can use it). When a passkey is the account's only second factor there is
 * no code to ask for: the step offers the passkey alone. `<SignIn/>` shows it by itself on
 * `MFA_REQUIRED`.
 */
export function MfaChallenge({ mfa, onComplete, onCancel, className }: MfaChallengeProps): ReactNode {
  const { verifyMfa } = useAuth();
  const janua = useJanua();
  const passkeys = usePasskeys({ load: false });
  const codeMethods = (["totp", "sms", "recovery_code"] as const).filter((m) => mfa.methods.includes(m));
  // A passkey alone: no code field. No method named at all (an older server): offer the usual codes.
  const passkeyOnly = codeMethods.length === 0 && mfa.methods.includes("passkey");
  const methods: MfaChallengeMethod[] = codeMethods.length ? [...codeMethods] : passkeyOnly ? [] : ["totp", "recovery_code"];
  const [method, setMethod] = useState<MfaChallengeMethod | null>(methods[0] ?? null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [smsSent, setSmsSent] = useState(false);
  const inputRef = useRef<HTMLInputElement | null>(null);
  const passkeyRef = useRef<HTMLButtonElement | null>(null);
  const errorId = useId();
  const offerPasskey = mfa.methods.includes("passkey") && passkeys.isSupported;

  // Focus the code field (or the passkey button) when the step appears and when the method changes.
  useEffect(() => {
    (inputRef.current ?? passkeyRef.current)?.focus();
  }, [method]);

  async function sendSms() {
    setError(null);
    try {
      await janua.mfa.sendSmsChallenge({ mfa_token: mfa.token });
      setSmsSent(true);
    } catch (e) {
      setError(errorMessage(e, "mfa"));
    }
  }

  useEffect(() => {
    if (method === "sms" && !smsSent) void sendSms();
  }, [method]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy || method === null) return;
    setBusy(true);
    setError(null);
    try {
      const user = await verifyMfa({ mfaToken: mfa.token, method, code });
      onComplete?.(user);
    } catch (e) {
      setError(errorMessage(e, "mfa"));
      setCode("");
      inputRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  async function usePasskey() {
    setError(null);
    setBusy(true);
    try {
      const user = await passkeys.authenticate({ mfaToken: mfa.token });
      if (user) onComplete?.(user);
    } catch (e) {
      setError(errorMessage(e, "passkey"));
    } finally {
      setBusy(false);
    }
  }

  const label = method === null ? null : LABELS[method];
  return (
    <Card title="Two-step verification" subtitle="Confirm it's you to finish signing in." className={className}>
      {passkeyOnly && !offerPasskey ? (
        <p className="janua-card__subtitle">Your account signs in with a passkey, which this browser cannot use. Use a device that has it.</p>
      ) : null}
      {methods.length > 1 ? (
        <div className="janua-tabs" role="group" aria-label="Verification method">
          {methods.map((m) => (
            <button
              key={m}
              type="button"
              className="janua-tab"
              aria-pressed={m === method}
              onClick={() => {
                setMethod(m);
                setCode("");
                setError(null);
              }}
            >
              {LABELS[m].tab}
            </button>
          ))}
        </div>
      ) : null}
      {label === null ? (
        <FormError id={errorId} message={error} />
      ) : (
        <form className="janua-form" onSubmit={submit} noValidate aria-describedby={errorId}>
          <Field
            label={label.field}
            name="code"
            hint={label.hint}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            autoComplete="one-time-code"
            inputMode={method === "recovery_code" ? "text" : "numeric"}
            spellCheck={false}
            required
            minLength={6}
            maxLength={32}
            inputRef={inputRef}
          />
          <FormError id={errorId} message={error} />
          <button type="submit" className="janua-button janua-button--primary" disabled={busy || code.trim().length < 6} aria-busy={busy}>
            {busy ? <Spinner /> : null}
            Verify
          </button>
          {method === "sms" ? (
            <button type="button" className="janua-link" onClick={() => void sendSms()}>
              Send a new code
            </button>
          ) : null}
        </form>
      )}
      {offerPasskey ? (
        <button
          type="button"
          ref={passkeyRef}
          className={`janua-button ${passkeyOnly ? "janua-button--primary" : "janua-button--secondary"}`}
          onClick={() => void usePasskey()}
          disabled={busy}
          aria-busy={passkeyOnly ? busy : undefined}
        >
          {passkeyOnly && busy ? <Spinner /> : null}
          {passkeyOnly ? "Use your passkey" : "Use a passkey instead"}
        </button>
      ) : null}
      {onCancel ? (
        <button type="button" className="janua-link" onClick={onCancel}>
          Back to sign in
        </button>
      ) : null}
    </Card>
  );
}
