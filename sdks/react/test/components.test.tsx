import "./dom.js";

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";

import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { BrowserTokenStorage, MemoryTokenStorage } from "@janua/sdk";
import type { ReactNode } from "react";

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
  useSession,
  UserButton,
  useUser,
} from "../src/index.js";
import { FakeJanua, PASSWORD } from "./support.js";

let server: FakeJanua;

beforeEach(() => {
  server = new FakeJanua().install();
  document.cookie = "__Host-janua_csrf=; Max-Age=0; Path=/; Secure";
  localStorage.clear();
  delete (globalThis as { PublicKeyCredential?: unknown }).PublicKeyCredential;
});
afterEach(() => cleanup());

function App({ children, storage }: { children?: ReactNode; storage?: "memory" | "local" }) {
  const tokenStorage = storage === "local" ? new BrowserTokenStorage() : new MemoryTokenStorage();
  return (
    <JanuaProvider baseUrl="https://api.test" tokenStorage={tokenStorage} tokenTransport="body">
      <SignedOut>
        <p>signed out</p>
        <SignIn signUpUrl="/sign-up" />
      </SignedOut>
      <SignedIn>
        <p>signed in</p>
        <UserButton userProfileUrl="/profile" />
      </SignedIn>
      {children}
    </JanuaProvider>
  );
}

function type(label: RegExp | string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

async function signInAsAda() {
  await screen.findByText("signed out");
  type("Email address", "ada@example.com");
  type("Password", PASSWORD);
  fireEvent.click(screen.getByRole("button", { name: "Continue" }));
  await screen.findByText("signed in");
}

describe("<SignIn/> and the provider", () => {
  it("renders an accessible form, signs in, and switches <SignedOut/> for <SignedIn/>", async () => {
    render(<App />);
    await screen.findByText("signed out");
    assert.equal(screen.queryByText("signed in"), null);
    const email = screen.getByLabelText("Email address") as HTMLInputElement;
    assert.equal(email.type, "email");
    assert.equal((screen.getByLabelText("Password") as HTMLInputElement).autocomplete, "current-password");
    assert.ok(screen.getByRole("heading", { name: "Sign in" }));
    assert.equal(screen.queryByRole("button", { name: "Sign in with a passkey" }), null, "no WebAuthn in jsdom: no passkey button");
    await signInAsAda();
    assert.ok(screen.getByRole("button", { name: "Account menu for Ada Lovelace" }));
    const login = server.last("POST /api/v1/auth/login");
    assert.deepEqual(login?.body, { email: "ada@example.com", password: PASSWORD, token_transport: "body" });
  });

  it("announces a wrong password in a live region and puts the focus back on the password", async () => {
    render(<App />);
    await screen.findByText("signed out");
    type("Email address", "ada@example.com");
    type("Password", "wrong password, surely");
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    const alert = await screen.findByText("The email or password is incorrect.");
    assert.equal(alert.getAttribute("aria-live"), "assertive");
    assert.equal(alert.getAttribute("role"), "alert");
    await waitFor(() => assert.equal(document.activeElement, screen.getByLabelText("Password")));
    assert.equal((screen.getByLabelText("Password") as HTMLInputElement).value, "");
  });

  it("marks empty fields invalid without calling the server", async () => {
    render(<App />);
    await screen.findByText("signed out");
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    const email = screen.getByLabelText("Email address");
    assert.equal(email.getAttribute("aria-invalid"), "true");
    assert.match(document.getElementById(email.getAttribute("aria-describedby")!.split(" ")[0]!)!.textContent!, /Enter your email/);
    assert.equal(document.activeElement, email);
    assert.equal(server.last("POST /api/v1/auth/login"), undefined);
  });

  it("asks for a second factor on MFA_REQUIRED, and finishes with a TOTP code", async () => {
    const grace = server.addUser({ email: "grace@example.com", name: "Grace Hopper", mfa: true });
    render(<App />);
    await screen.findByText("signed out");
    type("Email address", "grace@example.com");
    type("Password", PASSWORD);
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    await screen.findByRole("heading", { name: "Two-step verification" });
    const code = screen.getByLabelText("Authentication code") as HTMLInputElement;
    await waitFor(() => assert.equal(document.activeElement, code));
    assert.equal(code.autocomplete, "one-time-code");
    assert.ok(screen.getByRole("button", { name: "Recovery code", pressed: false }));

    type("Authentication code", "000000");
    fireEvent.click(screen.getByRole("button", { name: "Verify" }));
    await screen.findByText("That code is not valid. Try again.");

    type("Authentication code", "123456");
    fireEvent.click(screen.getByRole("button", { name: "Verify" }));
    await screen.findByText("signed in");
    assert.deepEqual(server.last("POST /api/v1/auth/mfa/challenge")?.body, { mfa_token: `mfa-${grace.id}`, method: "totp", code: "123456" });
    assert.ok(screen.getByRole("button", { name: "Account menu for Grace Hopper" }));
  });

  it("keeps a sign-in across a reload with BrowserTokenStorage", async () => {
    const first = render(<App storage="local" />);
    await signInAsAda();
    first.unmount();
    render(<App storage="local" />);
    await screen.findByText("signed in");
  });

  it("restores a cookie sign-in from the refresh cookie at start-up", async () => {
    server.tokens("u-ada", null, true); // the server holds a cookie session
    document.cookie = "__Host-janua_csrf=csrf; Path=/; Secure";
    render(
      <JanuaProvider baseUrl="https://api.test">
        <SignedIn>
          <p>signed in</p>
        </SignedIn>
      </JanuaProvider>,
    );
    await screen.findByText("signed in");
    const refresh = server.last("POST /api/v1/auth/token/refresh");
    assert.equal(refresh?.headers.get("x-csrf-token"), "csrf");
    assert.deepEqual(refresh?.body, {});
  });

  it("offers passkey sign-in where WebAuthn exists, and signs in with one", async () => {
    (globalThis as { PublicKeyCredential?: unknown }).PublicKeyCredential = function PublicKeyCredential() {};
    const buf = (s: string) => new TextEncoder().encode(s).buffer;
    let requested: CredentialRequestOptions | undefined;
    Object.defineProperty(navigator, "credentials", {
      configurable: true,
      value: {
        get: async (options: CredentialRequestOptions) => {
          requested = options;
          return {
            id: "cred",
            rawId: buf("cred"),
            type: "public-key",
            authenticatorAttachment: "platform",
            getClientExtensionResults: () => ({}),
            response: { clientDataJSON: buf("{}"), authenticatorData: buf("ad"), signature: buf("sig"), userHandle: buf("u-ada") },
          };
        },
      },
    });
    render(<App />);
    await screen.findByText("signed out");
    fireEvent.click(screen.getByRole("button", { name: "Sign in with a passkey" }));
    await screen.findByText("signed in");
    assert.equal(new TextDecoder().decode(requested?.publicKey?.challenge as ArrayBuffer), "login-challenge");
    const login = server.last("POST /api/v1/auth/passkey/login");
    assert.equal(login?.body?.["challenge_id"], "ch-1");
    assert.equal((login?.body?.["credential"] as { id: string }).id, "cred");
  });
});

describe("<MfaChallenge/>", () => {
  it("offers the passkey alone when it is the account's only second factor", async () => {
    (globalThis as { PublicKeyCredential?: unknown }).PublicKeyCredential = function PublicKeyCredential() {};
    const buf = (s: string) => new TextEncoder().encode(s).buffer;
    Object.defineProperty(navigator, "credentials", {
      configurable: true,
      value: {
        get: async () => ({
          id: "cred",
          rawId: buf("cred"),
          type: "public-key",
          authenticatorAttachment: "platform",
          getClientExtensionResults: () => ({}),
          response: { clientDataJSON: buf("{}"), authenticatorData: buf("ad"), signature: buf("sig"), userHandle: buf("u-hedy") },
        }),
      },
    });
    const hedy = server.addUser({ email: "hedy@example.com", name: "Hedy Lamarr", mfa: true, mfaMethods: ["passkey"] });
    render(<App />);
    await screen.findByText("signed out");
    type("Email address", "hedy@example.com");
    type("Password", PASSWORD);
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    await screen.findByRole("heading", { name: "Two-step verification" });
    // No code to ask for: no code field, no method tabs; the passkey is the next step.
    assert.equal(screen.queryByLabelText("Authentication code"), null);
    assert.equal(screen.queryByRole("group", { name: "Verification method" }), null);
    const passkey = screen.getByRole("button", { name: "Use your passkey" });
    await waitFor(() => assert.equal(document.activeElement, passkey));
    fireEvent.click(passkey);
    await screen.findByText("signed in");
    assert.deepEqual(server.last("POST /api/v1/auth/passkey/login/options")?.body, { mfa_token: `mfa-${hedy.id}` });
    assert.equal(server.last("POST /api/v1/auth/passkey/login")?.body?.["mfa_token"], `mfa-${hedy.id}`);
    assert.ok(screen.getByRole("button", { name: "Account menu for Hedy Lamarr" }));
  });
});

describe("<SignUp/>", () => {
  it("checks the password length first, then creates the account", async () => {
    let created = "";
    render(
      <JanuaProvider baseUrl="https://api.test" tokenTransport="body">
        <SignUp onSignUp={(u) => (created = u.email)} />
      </JanuaProvider>,
    );
    type("Name", "Katherine Johnson");
    type("Email address", "katherine@example.com");
    type("Password", "too short");
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));
    const password = screen.getByLabelText("Password");
    assert.equal(password.getAttribute("aria-invalid"), "true");
    assert.equal(document.activeElement, password);
    assert.equal(server.last("POST /api/v1/auth/register"), undefined);

    type("Password", PASSWORD);
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));
    await waitFor(() => assert.equal(created, "katherine@example.com"));
    assert.deepEqual(server.last("POST /api/v1/auth/register")?.body, {
      email: "katherine@example.com",
      password: PASSWORD,
      name: "Katherine Johnson",
      token_transport: "body",
    });
  });

  it("says so when the email is taken", async () => {
    render(
      <JanuaProvider baseUrl="https://api.test" tokenTransport="body">
        <SignUp />
      </JanuaProvider>,
    );
    type("Email address", "ada@example.com");
    type("Password", PASSWORD);
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));
    await screen.findByText("An account with this email already exists.");
  });
});

describe("<UserButton/>", () => {
  it("opens with the keyboard, moves with arrows, closes on Escape, and signs out", async () => {
    render(<App />);
    await signInAsAda();
    const trigger = screen.getByRole("button", { name: "Account menu for Ada Lovelace" });
    assert.equal(trigger.getAttribute("aria-haspopup"), "menu");
    fireEvent.keyDown(trigger, { key: "ArrowDown" });
    const menu = await screen.findByRole("menu", { name: "Account" });
    assert.equal(trigger.getAttribute("aria-expanded"), "true");
    assert.ok(within(menu).getByText("ada@example.com"));
    const [manage, signOut] = within(menu).getAllByRole("menuitem");
    await waitFor(() => assert.equal(document.activeElement, manage));
    fireEvent.keyDown(menu, { key: "ArrowDown" });
    assert.equal(document.activeElement, signOut);
    fireEvent.keyDown(menu, { key: "ArrowDown" });
    assert.equal(document.activeElement, manage, "wraps around");
    fireEvent.keyDown(menu, { key: "Escape" });
    assert.equal(screen.queryByRole("menu"), null);
    assert.equal(document.activeElement, trigger);

    fireEvent.click(trigger);
    fireEvent.click(await screen.findByRole("menuitem", { name: "Sign out" }));
    await screen.findByText("signed out");
    assert.ok(server.last("POST /api/v1/auth/logout"));
  });
});

function OrgPanel() {
  const { orgId, orgRole } = useAuth();
  const { organization, memberships } = useOrganization();
  const { session } = useSession();
  const { user } = useUser();
  return (
    <div>
      <p>active: {organization?.name ?? orgId ?? "none"}</p>
      <p>role: {orgRole ?? "-"}</p>
      <p>orgs: {memberships.data.length}</p>
      <p>session: {session?.id ?? "-"}</p>
      <p>user: {user?.email ?? "-"}</p>
      <OrganizationSwitcher />
      <Protect permission="members:manage" fallback={<p>not allowed</p>}>
        <p>member admin</p>
      </Protect>
      <Protect role="member" fallback={<p>not a plain member</p>}>
        <p>plain member</p>
      </Protect>
    </div>
  );
}

describe("organizations", () => {
  it("lists memberships, switches the active organization, and <Protect/> follows the token", async () => {
    render(
      <App>
        <SignedIn>
          <OrgPanel />
        </SignedIn>
      </App>,
    );
    await signInAsAda();
    await screen.findByText("orgs: 2");
    assert.ok(screen.getByText("active: none"));
    assert.ok(screen.getByText("session: s-u-ada"));
    assert.ok(screen.getByText("user: ada@example.com"));
    assert.ok(screen.getByText("not allowed"));

    const trigger = screen.getByRole("button", { name: /Active organization: Personal account/ });
    fireEvent.click(trigger);
    const menu = await screen.findByRole("menu", { name: "Switch organization" });
    const personal = within(menu).getByRole("menuitemradio", { name: "Personal account" });
    assert.equal(personal.getAttribute("aria-checked"), "true");
    fireEvent.click(within(menu).getByRole("menuitemradio", { name: /Acme Inc\./ }));
    await screen.findByText("active: Acme Inc.");
    assert.deepEqual(server.last("POST /api/v1/auth/organization")?.body, { organization_id: "org-acme" });
    assert.ok(screen.getByText("role: owner"));
    assert.ok(screen.getByText("member admin"));
    assert.ok(screen.getByText("not a plain member"));
    assert.ok(screen.getByRole("button", { name: /Active organization: Acme Inc\./ }));

    fireEvent.click(screen.getByRole("button", { name: /Active organization: Acme/ }));
    fireEvent.click(await screen.findByRole("menuitemradio", { name: /Globex/ }));
    await screen.findByText("active: Globex");
    assert.ok(screen.getByText("not allowed"));
    assert.ok(screen.getByText("plain member"));
  });

  it("shows an error when the switch is refused", async () => {
    render(
      <App>
        <SignedIn>
          <OrgPanel />
        </SignedIn>
      </App>,
    );
    await signInAsAda();
    await screen.findByText("orgs: 2");
    server.refuseSwitch.add("org-globex");
    fireEvent.click(screen.getByRole("button", { name: /Active organization/ }));
    fireEvent.click(await screen.findByRole("menuitemradio", { name: /Globex/ }));
    await screen.findByText("no such organization");
    assert.ok(screen.getByText("active: none"));
  });
});

describe("hooks", () => {
  it("throw a clear error outside <JanuaProvider>", () => {
    function Orphan() {
      useAuth();
      return null;
    }
    const original = console.error;
    console.error = () => undefined;
    try {
      assert.throws(() => render(<Orphan />), /inside <JanuaProvider>/);
    } finally {
      console.error = original;
    }
  });

  it("useUser().update patches the profile and re-renders", async () => {
    function Profile() {
      const { user, update } = useUser();
      return (
        <button type="button" onClick={() => void update({ name: "Ada King" })}>
          {user?.name ?? "nobody"}
        </button>
      );
    }
    render(
      <App>
        <SignedIn>
          <Profile />
        </SignedIn>
      </App>,
    );
    await signInAsAda();
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Ada Lovelace" })));
    await screen.findByRole("button", { name: "Ada King" });
    assert.deepEqual(server.last("PATCH /api/v1/auth/me")?.body, { name: "Ada King" });
  });
});
