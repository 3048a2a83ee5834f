import {
  errorMessage,
  JanuaProvider,
  OrganizationSwitcher,
  Protect,
  SignedIn,
  SignedOut,
  SignIn,
  SignUp,
  useAuth,
  useJanua,
  useOrganization,
  usePasskeys,
  UserButton,
  useSession,
  useUser,
  type Organization,
} from "@janua/react";
import { useEffect, useState } from "react";

import { Link, navigate, usePath } from "./router";
import { ScenarioPage } from "./Scenario";

export function App() {
  // The API is same-origin (the Vite proxy), so no baseUrl; the refresh token stays in an
  // HttpOnly cookie (the default token transport).
  const path = usePath();
  return (
    <JanuaProvider navigate={navigate} deviceLabel="Janua React example">
      {path === "/scenario" ? null : <Header />}
      <main className="page">
        <Routes path={path} />
      </main>
    </JanuaProvider>
  );
}

function Header() {
  return (
    <header className="header">
      <Link to="/" className="brand">
        Acme Notes
      </Link>
      <nav className="nav" aria-label="Account">
        <SignedIn>
          <OrganizationSwitcher />
          <Link to="/profile">Profile</Link>
          <UserButton userProfileUrl="/profile" afterSignOutUrl="/" />
        </SignedIn>
        <SignedOut>
          <Link to="/sign-in">Sign in</Link>
          <Link to="/sign-up" className="button">
            Sign up
          </Link>
        </SignedOut>
      </nav>
    </header>
  );
}

function Routes({ path }: { path: string }) {
  switch (path) {
    case "/sign-in":
      return <SignIn afterSignInUrl="/profile" signUpUrl="/sign-up" />;
    case "/sign-up":
      return <SignUp afterSignUpUrl="/profile" signInUrl="/sign-in" />;
    case "/profile":
      return (
        <>
          <SignedIn>
            <Profile />
          </SignedIn>
          <SignedOut>
            <RedirectTo to="/sign-in" />
          </SignedOut>
        </>
      );
    // The links of the server's mails (PUBLIC_APP_URL is this app).
    case "/verify-email":
      return <VerifyEmail />;
    case "/accept-invitation":
      return <AcceptInvitation />;
    // The SDK end-to-end scenario's test page (tests/e2e/scenario.md).
    case "/scenario":
      return <ScenarioPage />;
    default:
      return <Home />;
  }
}

function RedirectTo({ to }: { to: string }) {
  useEffect(() => navigate(to), [to]);
  return null;
}

function Home() {
  const { isLoaded } = useAuth();
  if (!isLoaded) return <p aria-busy="true">Loading…</p>;
  return (
    <section className="panel">
      <h1>Welcome to Acme Notes</h1>
      <SignedOut>
        <p>You are signed out.</p>
        <p>
          <Link to="/sign-in">Sign in</Link> or <Link to="/sign-up">create an account</Link>.
        </p>
      </SignedOut>
      <SignedIn>
        <p>
          You are signed in. See your <Link to="/profile">profile</Link>.
        </p>
      </SignedIn>
    </section>
  );
}

function Profile() {
  const { user } = useUser();
  const { session } = useSession();
  const { organization, role } = useOrganization();
  if (!user) return null;
  return (
    <section className="panel" aria-labelledby="profile-title">
      <h1 id="profile-title">{user.name ?? user.email}</h1>
      <dl className="facts">
        <dt>Email</dt>
        <dd data-testid="profile-email">{user.email}</dd>
        <dt>User id</dt>
        <dd>{user.id}</dd>
        <dt>Session</dt>
        <dd>{session?.id}</dd>
        <dt>Signed in with</dt>
        <dd data-testid="profile-amr">{session?.amr.join(", ") || "-"}</dd>
        <dt>Active organization</dt>
        <dd data-testid="active-organization">{organization?.name ?? "Personal account"}</dd>
        <dt>Role</dt>
        <dd data-testid="organization-role">{role ?? "-"}</dd>
      </dl>
      <Protect permission="members:manage" fallback={<p data-testid="members">You cannot manage members here.</p>}>
        <p data-testid="members">You can manage the members of {organization?.name}.</p>
      </Protect>
      <Passkeys />
    </section>
  );
}

function Passkeys() {
  const { isSupported, passkeys, isLoading, register, remove, error } = usePasskeys({ load: true });
  const [message, setMessage] = useState<string | null>(null);
  if (!isSupported) return null;

  async function add() {
    setMessage(null);
    try {
      const added = await register();
      setMessage(`Passkey added: ${added.name ?? "Passkey"}.`);
    } catch (e) {
      setMessage(errorMessage(e, "passkey"));
    }
  }

  return (
    <section aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      {error ? <p className="muted">{errorMessage(error)}</p> : null}
      {passkeys.length ? (
        <ul>
          {passkeys.map((p) => (
            <li key={p.id}>
              {p.name ?? "Passkey"}{" "}
              <button type="button" onClick={() => void remove(p.id).catch((e: unknown) => setMessage(errorMessage(e)))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : isLoading || error ? null : (
        <p>No passkeys yet: add one to sign in without a password.</p>
      )}
      <button type="button" onClick={() => void add()}>
        Add a passkey
      </button>
      <p role="status">{message}</p>
    </section>
  );
}

/** The token of a mailed link (`?token=...`). */
function linkToken(): string {
  return new URLSearchParams(window.location.search).get("token") ?? "";
}

/**
 * The link of the verification mail. Confirmed by a click rather than on load: mail scanners
 * open links, but do not press buttons.
 */
function VerifyEmail() {
  const janua = useJanua();
  const { isSignedIn, user, reload } = useUser();
  const [status, setStatus] = useState<"idle" | "busy" | "done">("idle");
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setStatus("busy");
    setError(null);
    try {
      await janua.auth.verifyEmail({ token: linkToken() });
      setStatus("done");
      if (isSignedIn) await reload();
    } catch (e) {
      setError(errorMessage(e));
      setStatus("idle");
    }
  }

  return (
    <section className="panel" aria-labelledby="verify-title">
      <h1 id="verify-title">Confirm your email address</h1>
      {status === "done" ? (
        <p role="status">Your email address is confirmed{user?.email_verified ? `: ${user.email}` : ""}.</p>
      ) : (
        <button type="button" className="button" onClick={() => void confirm()} disabled={status === "busy"}>
          Confirm my email address
        </button>
      )}
      <p role="alert">{error}</p>
    </section>
  );
}

/** The link of an invitation mail: the signed-in invitee joins the organization. */
function AcceptInvitation() {
  const janua = useJanua();
  const { isLoaded, isSignedIn } = useAuth();
  const { memberships } = useOrganization();
  const [joined, setJoined] = useState<Organization | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function accept() {
    setBusy(true);
    setError(null);
    try {
      setJoined(await janua.organizations.acceptInvitation({ token: linkToken() }));
      await memberships.revalidate();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  if (!isLoaded) return <p aria-busy="true">Loading…</p>;
  return (
    <section className="panel" aria-labelledby="invitation-title">
      <h1 id="invitation-title">Join an organization</h1>
      {!isSignedIn ? (
        <p>
          Sign in (or <Link to="/sign-up">sign up</Link> with the invited address), then open the link again.
        </p>
      ) : joined ? (
        <p role="status">
          You joined {joined.name} as {joined.role}.
        </p>
      ) : (
        <button type="button" className="button" onClick={() => void accept()} disabled={busy}>
          Accept the invitation
        </button>
      )}
      <p role="alert">{error}</p>
    </section>
  );
}
