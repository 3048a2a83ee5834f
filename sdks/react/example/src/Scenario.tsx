// The SDK end-to-end scenario's page (tests/e2e/scenario.md), driven by
// test/scenario.test.mjs in Chromium. The user's actions go through the components on this page
// (<SignUp/>, <SignIn/> and its <MfaChallenge/>, <OrganizationSwitcher/>, <UserButton/>); the
// scenario's assertions on the SDK's state, and the steps no component covers (TOTP enrolment,
// invitations, admin listing, token verification), go through `window.__scenario`: the hooks'
// state and the provider's `@janua/sdk` client (`useJanua()`), as an app would call them.
// Not part of the example proper: an app has no use for `window.__scenario`.

import {
  OrganizationSwitcher,
  SignIn,
  SignUp,
  useAuth,
  useJanua,
  useOrganization,
  UserButton,
  useSession,
  useUser,
  type Authorization,
  type UseAuthResult,
  type UseUserResult,
} from "@janua/react";
import {
  AuthenticationError,
  AuthorizationError,
  ConflictError,
  Janua,
  JanuaError,
  MfaRequiredError,
  NotFoundError,
  TokenError,
  ValidationError,
} from "@janua/sdk";
import { createTokenVerifier, type JanuaClaims } from "@janua/sdk/server";
import { useEffect, useRef, useState } from "react";

/** What a call of the page's API gives back to the test: structured-cloneable. */
export type Outcome<T = unknown> =
  | { ok: true; value: T }
  | {
      ok: false;
      error: { types: string[]; status?: number; code?: string; message: string; mfaToken?: string; mfaMethods?: string[] };
    };

// Checked with `instanceof` (class names do not survive minification); most specific first.
const ERROR_TYPES: [string, abstract new (...args: never[]) => Error][] = [
  ["MfaRequiredError", MfaRequiredError],
  ["TokenError", TokenError],
  ["AuthenticationError", AuthenticationError],
  ["AuthorizationError", AuthorizationError],
  ["NotFoundError", NotFoundError],
  ["ConflictError", ConflictError],
  ["ValidationError", ValidationError],
  ["JanuaError", JanuaError],
];

async function outcome<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    const error = e as Partial<MfaRequiredError> & Error;
    return {
      ok: false,
      error: {
        types: ERROR_TYPES.filter(([, type]) => e instanceof type).map(([name]) => name),
        status: error.status,
        code: error.code,
        message: String(error.message),
        mfaToken: error.mfaToken,
        mfaMethods: error.mfaMethods,
      },
    };
  }
}

type Method = (input?: unknown) => unknown;

/** `"auth.me"` -> `janua.auth.me`. */
function method(janua: Janua, name: string): Method {
  const [space, call] = name.split(".") as [string, string];
  const found = (janua as unknown as Record<string, Record<string, Method> | undefined>)[space]?.[call];
  if (typeof found !== "function") throw new Error(`no method janua.${name}`);
  return found;
}

export interface ScenarioApi {
  /** The hooks' view: what the components render from (structured-cloneable: no functions). */
  state(): Pick<UseAuthResult, "isLoaded" | "isSignedIn" | "userId" | "sessionId" | "orgId" | "orgRole" | "orgPermissions"> & {
    user: UseUserResult["user"];
    organizationId: string | null;
    amr: string[];
  };
  /** `useAuth().has(...)`: the UI's permission check. */
  has(check: Authorization): boolean;
  /** What the client's token storage holds (`janua.getTokens()`). */
  tokens(): Promise<Awaited<ReturnType<Janua["getTokens"]>>>;
  /** Store the held tokens again with an expiry in the past (step 5: nothing waits). */
  expireTokens(): Promise<void>;
  /** One facade method of the provider's client, e.g. `call("auth.me")`. */
  call(name: string, input?: unknown): Promise<Outcome>;
  /** A paginated facade method, iterated to the end with `for await`. */
  all(name: string, input?: unknown): Promise<Outcome<unknown[]>>;
  /** `useUser().reload()`. */
  reloadUser(): Promise<Outcome>;
  /** `useOrganization().create(...)`. */
  createOrganization(params: { name: string; slug: string }): Promise<Outcome>;
  /** The claims of `token` (default: the held access token), by `@janua/sdk/server`'s verifier. */
  verify(token?: string): Promise<Outcome<{ issuer: string; claims: JanuaClaims }>>;
  /** `auth.me()` from a new client given only `accessToken` (no refresh token). */
  meWith(accessToken: string): Promise<Outcome>;
}

declare global {
  interface Window {
    __scenario?: ScenarioApi;
  }
}

export function ScenarioPage() {
  const janua = useJanua();
  const auth = useAuth();
  const { user, reload } = useUser();
  const { session } = useSession();
  const org = useOrganization();
  const [form, setForm] = useState<"sign-up" | "sign-in">("sign-up");
  // A fresh form after each completed sign-in (the MFA step included).
  const [round, setRound] = useState(0);

  // The API reads the latest render's values.
  const latest = useRef({ janua, auth, user, reload, session, org });
  latest.current = { janua, auth, user, reload, session, org };

  useEffect(() => {
    let verifier: Promise<{ issuer: string; verify: (token: string) => Promise<JanuaClaims> }> | null = null;
    const verifierOf = (client: Janua) =>
      (verifier ??= client.discovery.openidConfiguration().then(({ issuer }) => ({
        issuer,
        // The server's JWKS, on this origin (the app proxies /.well-known like /api).
        verify: createTokenVerifier({ issuer, audience: "janua", jwksUrl: `${client.baseUrl}/.well-known/jwks.json` }),
      })));
    const api: ScenarioApi = {
      state() {
        const { auth, user, session, org } = latest.current;
        return {
          isLoaded: auth.isLoaded,
          isSignedIn: auth.isSignedIn,
          userId: auth.userId,
          sessionId: auth.sessionId,
          orgId: auth.orgId,
          orgRole: auth.orgRole,
          orgPermissions: auth.orgPermissions,
          user,
          organizationId: org.organization?.id ?? null,
          amr: session?.amr ?? [],
        };
      },
      has: (check) => latest.current.auth.has(check),
      tokens: () => latest.current.janua.getTokens(),
      async expireTokens() {
        const client = latest.current.janua;
        const held = await client.getTokens();
        if (held === null) throw new Error("no tokens to expire");
        await client.setTokens({ ...held, expiresAt: Date.now() - 60_000 });
      },
      call: (name, input) => outcome(async () => method(latest.current.janua, name)(input)),
      all: (name, input) =>
        outcome(async () => {
          const items: unknown[] = [];
          for await (const item of method(latest.current.janua, name)(input) as AsyncIterable<unknown>) items.push(item);
          return items;
        }),
      reloadUser: () => outcome(() => latest.current.reload()),
      createOrganization: (params) => outcome(() => latest.current.org.create(params)),
      verify: (token) =>
        outcome(async () => {
          const client = latest.current.janua;
          const { issuer, verify } = await verifierOf(client);
          const held = token ?? (await client.getTokens())?.accessToken;
          if (!held) throw new Error("no access token held");
          return { issuer, claims: await verify(held) };
        }),
      meWith: (accessToken) => outcome(() => new Janua({ baseUrl: latest.current.janua.baseUrl, accessToken }).auth.me()),
    };
    window.__scenario = api;
    return () => {
      if (window.__scenario === api) delete window.__scenario;
    };
  }, []);

  return (
    <section className="panel" aria-labelledby="scenario-title">
      <h1 id="scenario-title">SDK scenario</h1>
      <div className="nav" role="group" aria-label="Account">
        <OrganizationSwitcher />
        <UserButton showName />
      </div>
      <dl className="facts">
        <dt>State</dt>
        <dd data-testid="scenario-state">{!auth.isLoaded ? "loading" : auth.isSignedIn ? "signed in" : "signed out"}</dd>
        <dt>Email</dt>
        <dd data-testid="scenario-email">{user?.email ?? "-"}</dd>
        <dt>Completed sign-ups and sign-ins</dt>
        <dd data-testid="scenario-completed">{round}</dd>
      </dl>
      <div className="janua-tabs" role="group" aria-label="Form">
        <button type="button" aria-pressed={form === "sign-up"} onClick={() => setForm("sign-up")}>
          Sign-up form
        </button>
        <button type="button" aria-pressed={form === "sign-in"} onClick={() => setForm("sign-in")}>
          Sign-in form
        </button>
      </div>
      {form === "sign-up" ? (
        <SignUp key={round} onSignUp={() => setRound((n) => n + 1)} />
      ) : (
        <SignIn key={round} onSignIn={() => setRound((n) => n + 1)} passkeys={false} />
      )}
    </section>
  );
}
