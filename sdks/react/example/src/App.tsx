import {
  JanuaProvider,
  OrganizationSwitcher,
  Protect,
  SignedIn,
  SignedOut,
  SignIn,
  SignUp,
  useAuth,
  useOrganization,
  usePasskeys,
  UserButton,
  useSession,
  useUser,
} from "@janua/react";
import { useEffect } from "react";

import { Link, navigate, usePath } from "./router";

export function App() {
  // The API is same-origin (the Vite proxy), so no baseUrl; the refresh token stays in an
  // HttpOnly cookie (the default token transport).
  return (
    <JanuaProvider navigate={navigate} deviceLabel="Janua React example">
      <Header />
      <main className="page">
        <Routes />
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

function Routes() {
  const path = usePath();
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
        <dd>{session?.amr.join(", ") || "-"}</dd>
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
  const { isSupported, passkeys, register, remove, error } = usePasskeys({ load: true });
  if (!isSupported) return null;
  return (
    <section aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      {error ? <p className="muted">Passkeys are not available on this server.</p> : null}
      <ul>
        {passkeys.map((p) => (
          <li key={p.id}>
            {p.name ?? "Passkey"}{" "}
            <button type="button" onClick={() => void remove(p.id)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      {error ? null : (
        <button type="button" onClick={() => void register()}>
          Add a passkey
        </button>
      )}
    </section>
  );
}
