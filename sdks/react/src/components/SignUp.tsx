import { useId, useRef, useState, type FormEvent, type ReactNode } from "react";

import { errorMessage, fieldErrors } from "../errors.js";
import { useAuth, useJanuaContext } from "../hooks.js";
import type { User } from "../provider.js";
import { Card, Field, FormError, Spinner } from "./ui.js";

export interface SignUpProps {
  afterSignUpUrl?: string;
  onSignUp?(user: User): void;
  /** A "Sign in" link under the form. */
  signInUrl?: string;
  /** Ask for a name (default true). */
  withName?: boolean;
  title?: string;
  className?: string;
}

/** The server's minimum (RegisterRequest.password). */
const MIN_PASSWORD = 12;

/** Create an account with email and password; the new user is signed in. */
export function SignUp({ afterSignUpUrl, onSignUp, signInUrl, withName = true, title = "Create your account", className }: SignUpProps): ReactNode {
  const { signUp } = useAuth();
  const { navigate } = useJanuaContext();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const refs = {
    name: useRef<HTMLInputElement | null>(null),
    email: useRef<HTMLInputElement | null>(null),
    password: useRef<HTMLInputElement | null>(null),
  };
  const errorId = useId();

  function check(): Record<string, string> {
    const found: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) found["email"] = "Enter a valid email address.";
    if (password.length < MIN_PASSWORD) found["password"] = `Use at least ${MIN_PASSWORD} characters.`;
    return found;
  }

  function focusFirst(found: Record<string, string>) {
    const first = (["name", "email", "password"] as const).find((f) => found[f]);
    if (first) refs[first].current?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const found = check();
    setFields(found);
    if (Object.keys(found).length) {
      setError(null);
      focusFirst(found);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await signUp({ email: email.trim(), password, ...(withName && name.trim() ? { name: name.trim() } : {}) });
      onSignUp?.(user);
      if (afterSignUpUrl) void navigate(afterSignUpUrl);
    } catch (e) {
      const byField = fieldErrors(e);
      setFields(byField);
      setError(errorMessage(e, "sign-up"));
      if (Object.keys(byField).length) focusFirst(byField);
      else refs.email.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={title} subtitle="It takes less than a minute." className={className}>
      <form className="janua-form" onSubmit={submit} noValidate aria-describedby={errorId}>
        {withName ? (
          <Field label="Name" name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} error={fields["name"]} inputRef={refs.name} />
        ) : null}
        <Field
          label="Email address"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fields["email"]}
          required
          inputRef={refs.email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${MIN_PASSWORD} characters. A few unrelated words make a strong one.`}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fields["password"]}
          required
          minLength={MIN_PASSWORD}
          inputRef={refs.password}
        />
        <FormError id={errorId} message={error} />
        <button type="submit" className="janua-button janua-button--primary" disabled={busy} aria-busy={busy}>
          {busy ? <Spinner /> : null}
          Create account
        </button>
      </form>
      {signInUrl ? (
        <p className="janua-footer">
          Have an account?{" "}
          <a
            className="janua-link"
            href={signInUrl}
            onClick={(e) => {
              if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
              e.preventDefault();
              void navigate(signInUrl);
            }}
          >
            Sign in
          </a>
        </p>
      ) : null}
    </Card>
  );
}
