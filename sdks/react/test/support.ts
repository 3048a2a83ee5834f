// A scripted Janua server behind `globalThis.fetch`, speaking just enough of the contract for the
// components: sign-up, sign-in (with an MFA user), MFA challenge, me, logout, refresh,
// organizations and the switch, passkeys. Tokens are unsigned JWT-shaped strings: the React SDK
// only decodes them, the server is what verifies.

export const PASSWORD = "correct horse battery staple";

interface FakeUser {
  id: string;
  email: string;
  name: string | null;
  password: string;
  mfa: boolean;
  /** The second factors the MFA_REQUIRED answer names (default TOTP and recovery codes). */
  mfaMethods?: string[];
}

interface Call {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  headers: Headers;
}

function b64url(value: string): string {
  return Buffer.from(value).toString("base64url");
}

export function fakeJwt(claims: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}.signature`;
}

const now = "2026-01-01T00:00:00Z";

export class FakeJanua {
  users: FakeUser[] = [{ id: "u-ada", email: "ada@example.com", name: "Ada Lovelace", password: PASSWORD, mfa: false }];
  orgs = [
    { id: "org-acme", name: "Acme Inc.", slug: "acme", role: "owner", permissions: ["members:manage", "members:read"] },
    { id: "org-globex", name: "Globex", slug: "globex", role: "member", permissions: ["members:read"] },
  ];
  passkeys: Record<string, unknown>[] = [];
  calls: Call[] = [];
  /** refresh token -> [user id, org id] */
  sessions = new Map<string, [string, string | null]>();
  cookieSession: [string, string | null] | null = null;
  /** Organizations the switch answers 404 for (a membership removed meanwhile). */
  refuseSwitch = new Set<string>();
  #n = 0;

  addUser(user: Partial<FakeUser> & { email: string }): FakeUser {
    const full: FakeUser = { id: `u-${++this.#n}`, name: null, password: PASSWORD, mfa: false, ...user };
    this.users.push(full);
    return full;
  }

  userJson(u: FakeUser) {
    return { id: u.id, email: u.email, name: u.name, email_verified: true, locale: null, timezone: null, picture_url: null, created_at: now, updated_at: now };
  }

  tokens(userId: string, orgId: string | null, cookie = false): {
    access_token: string;
    token_type: string;
    expires_in: number;
    refresh_token_expires_in: number;
    refresh_token?: string;
    csrf_token?: string;
  } {
    const org = this.orgs.find((o) => o.id === orgId);
    const claims: Record<string, unknown> = { sub: userId, sid: `s-${userId}`, exp: Math.floor(Date.now() / 1000) + 900, amr: ["pwd"] };
    if (org) Object.assign(claims, { org_id: org.id, org_role: org.role, org_permissions: org.permissions });
    const refresh = `r-${++this.#n}`;
    if (cookie) this.cookieSession = [userId, orgId];
    else this.sessions.set(refresh, [userId, orgId]);
    return {
      access_token: fakeJwt(claims),
      token_type: "Bearer",
      expires_in: 900,
      refresh_token_expires_in: 86400,
      ...(cookie ? { csrf_token: "csrf" } : { refresh_token: refresh }),
    };
  }

  bearer(headers: Headers): { sub: string; org_id?: string } | null {
    const token = headers.get("authorization")?.replace(/^Bearer /, "");
    const payload = token?.split(".")[1];
    return payload ? (JSON.parse(Buffer.from(payload, "base64url").toString()) as { sub: string; org_id?: string }) : null;
  }

  fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const method = (init.method ?? "GET").toUpperCase();
    const headers = new Headers(init.headers);
    const body = typeof init.body === "string" && init.body ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    this.calls.push({ method, path: url.pathname, body, headers });
    const json = (status: number, value: unknown) =>
      new Response(status === 204 ? null : JSON.stringify(value), {
        status,
        headers: { "content-type": status >= 400 ? "application/problem+json" : "application/json" },
      });
    const problem = (status: number, code: string, detail: string, extra: Record<string, unknown> = {}) =>
      json(status, { type: "about:blank", title: code, status, code, detail, ...extra });
    const route = `${method} ${url.pathname}`;
    const caller = this.bearer(headers);
    const me = this.users.find((u) => u.id === caller?.sub);
    const cookie = body?.["token_transport"] === "cookie";

    switch (route) {
      case "POST /api/v1/auth/register": {
        if (String(body?.["password"] ?? "").length < 12)
          return problem(422, "VALIDATION_ERROR", "invalid", { errors: [{ pointer: "#/password", detail: "String should have at least 12 characters" }] });
        if (this.users.some((u) => u.email === body?.["email"])) return problem(409, "CONFLICT_ERROR", "taken");
        const user = this.addUser({ email: String(body?.["email"]), name: (body?.["name"] as string) ?? null, password: String(body?.["password"]) });
        return json(201, { user: this.userJson(user), tokens: this.tokens(user.id, null, cookie) });
      }
      case "POST /api/v1/auth/login": {
        const user = this.users.find((u) => u.email === body?.["email"] && u.password === body?.["password"]);
        if (!user) return problem(401, "AUTHENTICATION_ERROR", "Invalid email or password.");
        if (user.mfa)
          return problem(403, "MFA_REQUIRED", "Second factor required", { mfa_token: `mfa-${user.id}`, mfa_token_expires_in: 300, mfa_methods: user.mfaMethods ?? ["totp", "recovery_code"] });
        return json(200, { user: this.userJson(user), tokens: this.tokens(user.id, null, cookie) });
      }
      case "POST /api/v1/auth/mfa/challenge": {
        const user = this.users.find((u) => `mfa-${u.id}` === body?.["mfa_token"]);
        if (!user) return problem(401, "TOKEN_ERROR", "expired");
        if (body?.["code"] !== "123456") return problem(401, "AUTHENTICATION_ERROR", "The code is not valid.");
        return json(200, { user: this.userJson(user), tokens: this.tokens(user.id, null) });
      }
      case "POST /api/v1/auth/token/refresh": {
        const presented = body?.["refresh_token"] as string | undefined;
        const found = presented ? this.sessions.get(presented) : this.cookieSession;
        if (!found) return problem(401, "TOKEN_ERROR", "invalid refresh token");
        if (presented) this.sessions.delete(presented);
        return json(200, this.tokens(found[0], found[1], !presented));
      }
      case "GET /api/v1/auth/me":
        return me ? json(200, this.userJson(me)) : problem(401, "TOKEN_ERROR", "no token");
      case "PATCH /api/v1/auth/me":
        if (!me) return problem(401, "TOKEN_ERROR", "no token");
        Object.assign(me, body);
        return json(200, this.userJson(me));
      case "POST /api/v1/auth/logout":
        this.cookieSession = null;
        return me ? json(204, null) : problem(401, "TOKEN_ERROR", "no token");
      case "GET /api/v1/organizations":
        if (!me) return problem(401, "TOKEN_ERROR", "no token");
        return json(200, { data: this.orgs.map(({ permissions: _p, ...o }) => ({ ...o, created_at: now, updated_at: now })), next_cursor: null });
      case "POST /api/v1/auth/organization": {
        if (!me) return problem(401, "TOKEN_ERROR", "no token");
        const id = body?.["organization_id"] as string | null;
        if (id !== null && (!this.orgs.some((o) => o.id === id) || this.refuseSwitch.has(id))) return problem(404, "NOT_FOUND_ERROR", "no such organization");
        const { refresh_token: _r, ...pair } = this.tokens(me.id, id);
        return json(200, pair);
      }
      case "GET /api/v1/auth/passkeys":
        return me ? json(200, { data: this.passkeys, next_cursor: null }) : problem(401, "TOKEN_ERROR", "no token");
      case "POST /api/v1/auth/passkey/register/options":
        return json(200, {
          challenge: b64url("register-challenge"),
          rp: { id: "app.test", name: "Janua" },
          user: { id: b64url("u-ada"), name: "ada@example.com", displayName: "Ada" },
          pubKeyCredParams: [{ type: "public-key", alg: -7 }],
          excludeCredentials: [{ id: b64url("old-credential"), type: "public-key", transports: ["internal"] }],
        });
      case "POST /api/v1/auth/passkey/register": {
        const created = { id: `pk-${++this.#n}`, name: body?.["name"] ?? "Passkey", created_at: now, last_used_at: null };
        this.passkeys.unshift(created);
        return json(201, created);
      }
      case "POST /api/v1/auth/passkey/login/options":
        // The body is required (`{}` for a usernameless sign-in), as the real server has it.
        if (body === undefined) return problem(415, "BAD_REQUEST", "The request body must be application/json.");
        // PasskeyLoginOptions, as the spec has it.
        return json(200, {
          challenge_id: "ch-1",
          expires_in: 300,
          public_key: { challenge: b64url("login-challenge"), timeout: 300000, rpId: "app.test", allowCredentials: [], userVerification: "preferred" },
        });
      case "POST /api/v1/auth/passkey/login": {
        // The second factor of the pending sign-in, or (usernameless) the first user.
        const user = body?.["mfa_token"] ? this.users.find((u) => `mfa-${u.id}` === body["mfa_token"]) : this.users[0];
        if (!user) return problem(401, "TOKEN_ERROR", "expired");
        return json(200, { user: this.userJson(user), tokens: this.tokens(user.id, null, cookie) });
      }
      default: {
        const passkey = url.pathname.match(/^\/api\/v1\/auth\/passkeys\/([^/]+)$/);
        if (passkey && method === "DELETE") {
          this.passkeys = this.passkeys.filter((p) => p["id"] !== passkey[1]);
          return json(204, null);
        }
        return problem(404, "NOT_FOUND_ERROR", `no route ${route}`);
      }
    }
  };

  install(): FakeJanua {
    globalThis.fetch = this.fetch as typeof fetch;
    return this;
  }

  last(route: string): Call | undefined {
    return [...this.calls].reverse().find((c) => `${c.method} ${c.path}` === route);
  }
}
