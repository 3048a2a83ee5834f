import { useId, useRef, useState, type FormEvent, type ReactNode } from "react";

import { errorMessage, fieldErrors, type MfaState } from "../errors.js";
import { useAuth, useJanuaContext } from "../hooks.js";
import { usePasskeys } from "../passkeys.js";
import type { User } from "../provider.js";
import { MfaChallenge } from "./MfaChallenge.js";
import { Card, Field, FormError, Spinner } from "./ui.js";

export interface SignInProps {
  /** Where to go once signed in (through the provider's `navigate`). */
  afterSignInUrl?: string;
  /** Called with the user once signed in (before `afterSignInUrl`). */
  onSignIn?(user: User): void;
  /** A "Sign up" link under the form. */
  signUpUrl?: string;
  /** Offer "Sign in with a passkey" when the browser supports WebAuthn (default true). */
  passkeys?: boolean;
  title?: string;
  className?: string;
}

/**
 * Email + password sign-in. A second factor (`MFA_REQUIRED`) switches to `<MfaChallenge/>`;
 * "Sign in with a passkey" appears where WebAuthn is available.
 */
export function SignIn({ afterSignInUrl, onSignIn, signUpUrl, passkeys: offerPasskeys = true, title = "Sign in", className }: SignInProps): ReactNode {
  const { signIn } = useAuth();
  const { navigate } = useJanuaContext();
  const passkeys = usePasskeys({ load: false });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [mfa, setMfa] = useState<MfaState | null>(null);
  const emailRef = useRef<HTMLInputElement | null>(null);
  const passwordRef = useRef<HTMLInputElement | null>(null);
  const errorId = useId();

  function done(user: User) {
    onSignIn?.(user);
    if (afterSignInUrl) void navigate(afterSignInUrl);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!email.trim() || !password) {
      setFields({ ...(email.trim() ? {} : { email: "Enter your email address." }), ...(password ? {} : { password: "Enter your password." }) });
      (email.trim() ? passwordRef : emailRef).current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    setFields({});
    try {
      const result = await signIn({ email: email.trim(), password });
      if (result.status === "needs_mfa") setMfa(result.mfa);
      else done(result.user);
    } catch (e) {
      setError(errorMessage(e, "sign-in"));
      setFields(fieldErrors(e));
      setPassword("");
      passwordRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  async function passkeySignIn() {
    setBusy(true);
    setError(null);
    try {
      const user = await passkeys.authenticate();
      if (user) done(user);
    } catch (e) {
      setError(errorMessage(e, "passkey"));
    } finally {
      setBusy(false);
    }
  }

  if (mfa) {
    return (
      <MfaChallenge
        mfa={mfa}
        className={className}
        onComplete={done}
        onCancel={() => {
          setMfa(null);
          setPassword("");
        }}
      />
    );
  }

  return (
    <Card title={title} subtitle="Welcome back. Sign in to continue." className={className}>
      <form className="janua-form" onSubmit={submit} noValidate aria-describedby={errorId}>
        <Field
          label="Email address"
          name="email"
          type="email"
          autoComplete="username webauthn"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fields["email"]}
          required
          inputRef={emailRef}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fields["password"]}
          required
          inputRef={passwordRef}
        />
        <FormError id={errorId} message={error} />
        <button type="submit" className="janua-button janua-button--primary" disabled={busy} aria-busy={busy}>
          {busy ? <Spinner /> : null}
          Continue
        </button>
      </form>
      {offerPasskeys && passkeys.isSupported ? (
        <>
          <div className="janua-divider" role="separator">
            <span>or</span>
          </div>
          <button type="button" className="janua-button janua-button--secondary" onClick={() => void passkeySignIn()} disabled={busy}>
            Sign in with a passkey
          </button>
        </>
      ) : null}
      {signUpUrl ? (
        <p className="janua-footer">
          No account?{" "}
          <a
            className="janua-link"
            href={signUpUrl}
            onClick={(e) => {
              if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
              e.preventDefault();
              void navigate(signUpUrl);
            }}
          >
            Sign up
          </a>
        </p>
      ) : null}
    </Card>
  );
}
