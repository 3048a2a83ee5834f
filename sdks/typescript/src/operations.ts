/**
 * The facade's wiring: one line per spec operation, `operationId -> [method + path, namespace.method,
 * flags]`. Everything else (the method's argument and result types, URL building, auth,
 * pagination) is derived from the line and from the generated `operations` types, so a new spec
 * operation costs one line here. test/coverage.test.ts holds this table against the spec
 * (server/src/janua_server/contract/openapi.json): every operationId present, method, path,
 * security and pagination as the spec says, and each namespace method sending that operation.
 *
 * Flags (all optional):
 * - `public`: the spec's security has no `bearerAuth`: the client sends no session token and does
 *   not refresh on a 401 (OAuth client credentials or tokens go in the input or `headers`).
 * - `page`: a cursor-paginated list (`limit` / `cursor` -> `{ data, next_cursor }`); the method
 *   returns a `Paginator` (async-iterable, with `.page()`).
 * - `tokens: "store"`: the answer carries `tokens` (a sign-in): keep them. `"clear"`: sign-out.
 * - `ok`: extra statuses whose body is a result, not an error (e.g. detailed health's 503).
 * - `query`: for methods other than GET / HEAD / OPTIONS, the input keys that go to the query
 *   string (the others go to the body).
 * - `form`: the body is `application/x-www-form-urlencoded` (the OAuth endpoints), not JSON.
 * - `redirect`: answered with a redirect (the OAuth browser endpoints): the method resolves to
 *   the `Location` (or the page's text when the server answers 200); in browsers, navigate instead.
 * - `nest`: a body field has a parameter's name (renaming `slug` at `/{slug}`): the body goes
 *   under `body` instead, `{ slug, body: { slug: "new" } }`.
 * - `body`: the spec requires a JSON body whose fields are all optional: called without any,
 *   the method sends `{}` (the server answers a missing required body with 415).
 *
 * The input object of a method is the operation's path parameters, query parameters and JSON
 * body fields, flattened: `sessions.revoke({ session_id })`, `auth.login({ email, password })`.
 */

import type { operations, paths } from "./generated/schema.js";

export type OperationId = keyof operations;
type HttpMethod = "get" | "put" | "post" | "delete" | "patch" | "head" | "options";

/** `"GET /api/v1/sessions"`: every method + path pair that exists in `paths`. */
export type Endpoint = {
  [P in keyof paths]: {
    [M in HttpMethod]: paths[P][M] extends undefined | never ? never : `${Uppercase<M>} ${P & string}`;
  }[HttpMethod];
}[keyof paths];

export interface RouteFlags {
  readonly public?: true;
  readonly page?: true;
  readonly tokens?: "store" | "clear";
  readonly ok?: readonly number[];
  readonly query?: readonly string[];
  readonly form?: true;
  readonly nest?: true;
  readonly redirect?: true;
  readonly body?: true;
}

export type Route = readonly [endpoint: Endpoint, call: `${string}.${string}`, flags?: RouteFlags];

// prettier-ignore
export const ROUTES = {
  getHealth:               ["GET /health", "health.check", { public: true }],
  getHealthDetailed:       ["GET /health/detailed", "health.detailed", { public: true, ok: [503] }],
  getOpenidConfiguration:  ["GET /.well-known/openid-configuration", "discovery.openidConfiguration", { public: true }],
  getJwks:                 ["GET /.well-known/jwks.json", "discovery.jwks", { public: true }],

  registerUser:            ["POST /api/v1/auth/register", "auth.register", { public: true, tokens: "store" }],
  loginUser:               ["POST /api/v1/auth/login", "auth.login", { public: true, tokens: "store" }],
  refreshToken:            ["POST /api/v1/auth/token/refresh", "auth.refresh", { public: true, tokens: "store", body: true }],
  logoutUser:              ["POST /api/v1/auth/logout", "auth.logout", { tokens: "clear" }],
  getCurrentUser:          ["GET /api/v1/auth/me", "auth.me"],
  updateCurrentUser:       ["PATCH /api/v1/auth/me", "auth.updateMe", { body: true }],
  listMyAuditEvents:       ["GET /api/v1/auth/me/audit-events", "auth.auditEvents", { page: true }],
  verifyEmail:             ["POST /api/v1/auth/email/verify", "auth.verifyEmail", { public: true }],
  resendVerificationEmail: ["POST /api/v1/auth/email/verify/resend", "auth.resendVerificationEmail"],
  requestPasswordReset:    ["POST /api/v1/auth/password/forgot", "auth.requestPasswordReset", { public: true }],
  resetPassword:           ["POST /api/v1/auth/password/reset", "auth.resetPassword", { public: true }],
  changePassword:          ["POST /api/v1/auth/password/change", "auth.changePassword"],

  listSessions:            ["GET /api/v1/sessions", "sessions.list", { page: true }],
  revokeOtherSessions:     ["DELETE /api/v1/sessions", "sessions.revokeOthers"],
  revokeSession:           ["DELETE /api/v1/sessions/{session_id}", "sessions.revoke"],

  listOrganizations:             ["GET /api/v1/organizations", "organizations.list", { page: true }],
  createOrganization:            ["POST /api/v1/organizations", "organizations.create"],
  getOrganizationBySlug:         ["GET /api/v1/organizations-by-slug/{slug}", "organizations.getBySlug"],
  updateOrganizationBySlug:      ["PATCH /api/v1/organizations-by-slug/{slug}", "organizations.updateBySlug", { nest: true, body: true }],
  deleteOrganizationBySlug:      ["DELETE /api/v1/organizations-by-slug/{slug}", "organizations.deleteBySlug"],
  getOrganization:               ["GET /api/v1/organizations/{organization_id}", "organizations.get"],
  updateOrganization:            ["PATCH /api/v1/organizations/{organization_id}", "organizations.update", { body: true }],
  deleteOrganization:            ["DELETE /api/v1/organizations/{organization_id}", "organizations.delete"],
  listOrganizationMembers:       ["GET /api/v1/organizations/{organization_id}/members", "organizations.listMembers", { page: true }],
  addOrganizationMember:         ["POST /api/v1/organizations/{organization_id}/members", "organizations.addMember"],
  getOrganizationMember:         ["GET /api/v1/organizations/{organization_id}/members/{user_id}", "organizations.getMember"],
  updateOrganizationMember:      ["PATCH /api/v1/organizations/{organization_id}/members/{user_id}", "organizations.updateMember"],
  removeOrganizationMember:      ["DELETE /api/v1/organizations/{organization_id}/members/{user_id}", "organizations.removeMember"],
  leaveOrganization:             ["POST /api/v1/organizations/{organization_id}/leave", "organizations.leave"],
  transferOrganizationOwnership: ["POST /api/v1/organizations/{organization_id}/transfer-ownership", "organizations.transferOwnership"],
  listOrganizationRoles:         ["GET /api/v1/organizations/{organization_id}/roles", "organizations.listRoles"],
  createOrganizationRole:        ["POST /api/v1/organizations/{organization_id}/roles", "organizations.createRole"],
  getOrganizationRole:           ["GET /api/v1/organizations/{organization_id}/roles/{role_key}", "organizations.getRole"],
  updateOrganizationRole:        ["PATCH /api/v1/organizations/{organization_id}/roles/{role_key}", "organizations.updateRole", { body: true }],
  deleteOrganizationRole:        ["DELETE /api/v1/organizations/{organization_id}/roles/{role_key}", "organizations.deleteRole"],
  checkOrganizationPermission:   ["GET /api/v1/organizations/{organization_id}/permissions/check", "organizations.checkPermission"],
  listOrganizationInvitations:   ["GET /api/v1/organizations/{organization_id}/invitations", "organizations.listInvitations", { page: true }],
  createOrganizationInvitation:  ["POST /api/v1/organizations/{organization_id}/invitations", "organizations.createInvitation"],
  getOrganizationInvitation:     ["GET /api/v1/organizations/{organization_id}/invitations/{invitation_id}", "organizations.getInvitation"],
  revokeOrganizationInvitation:  ["DELETE /api/v1/organizations/{organization_id}/invitations/{invitation_id}", "organizations.revokeInvitation"],
  resendOrganizationInvitation:  ["POST /api/v1/organizations/{organization_id}/invitations/{invitation_id}/resend", "organizations.resendInvitation"],
  previewInvitation:             ["POST /api/v1/invitations/preview", "organizations.previewInvitation", { public: true }],
  acceptInvitation:              ["POST /api/v1/invitations/accept", "organizations.acceptInvitation"],
  registerWithInvitation:        ["POST /api/v1/invitations/register", "organizations.registerWithInvitation", { public: true, tokens: "store" }],
  switchOrganization:            ["POST /api/v1/auth/organization", "organizations.switch", { tokens: "store" }],

  listUsers:                     ["GET /api/v1/users", "users.list", { page: true }],

  listAdminUsers:                ["GET /api/v1/admin/users", "admin.listUsers", { page: true }],
  getAdminUser:                  ["GET /api/v1/admin/users/{user_id}", "admin.getUser"],
  updateAdminUser:               ["PATCH /api/v1/admin/users/{user_id}", "admin.updateUser", { body: true }],
  deleteAdminUser:               ["DELETE /api/v1/admin/users/{user_id}", "admin.deleteUser"],
  disableUser:                   ["POST /api/v1/admin/users/{user_id}/disable", "admin.disableUser"],
  enableUser:                    ["POST /api/v1/admin/users/{user_id}/enable", "admin.enableUser"],
  unlockUser:                    ["POST /api/v1/admin/users/{user_id}/unlock", "admin.unlockUser"],
  verifyUserEmail:               ["POST /api/v1/admin/users/{user_id}/verify-email", "admin.verifyUserEmail"],
  revokeUserSessions:            ["DELETE /api/v1/admin/users/{user_id}/sessions", "admin.revokeUserSessions"],
  listAdminOrganizations:        ["GET /api/v1/admin/organizations", "admin.listOrganizations", { page: true }],
  getAdminStats:                 ["GET /api/v1/admin/stats", "admin.stats"],

  getMfaStatus:                  ["GET /api/v1/auth/mfa", "mfa.status"],
  startTotpSetup:                ["POST /api/v1/auth/mfa/setup", "mfa.startTotpSetup"],
  confirmTotpSetup:              ["POST /api/v1/auth/mfa/verify-setup", "mfa.confirmTotpSetup"],
  disableTotp:                   ["POST /api/v1/auth/mfa/disable", "mfa.disableTotp"],
  regenerateRecoveryCodes:       ["POST /api/v1/auth/mfa/recovery-codes", "mfa.regenerateRecoveryCodes", { body: true }],
  verifyMfaChallenge:            ["POST /api/v1/auth/mfa/challenge", "mfa.verifyChallenge", { public: true, tokens: "store" }],
  startSmsSetup:                 ["POST /api/v1/auth/mfa/sms/setup", "mfa.startSmsSetup"],
  confirmSmsSetup:               ["POST /api/v1/auth/mfa/sms/verify-setup", "mfa.confirmSmsSetup"],
  disableSms:                    ["DELETE /api/v1/auth/mfa/sms", "mfa.disableSms"],
  sendSmsChallenge:              ["POST /api/v1/auth/mfa/sms/send", "mfa.sendSmsChallenge", { public: true }],

  startPasskeyRegistration:      ["POST /api/v1/auth/passkey/register/options", "passkeys.startRegistration"],
  registerPasskey:               ["POST /api/v1/auth/passkey/register", "passkeys.register"],
  listPasskeys:                  ["GET /api/v1/auth/passkeys", "passkeys.list", { page: true }],
  updatePasskey:                 ["PATCH /api/v1/auth/passkeys/{passkey_id}", "passkeys.update"],
  deletePasskey:                 ["DELETE /api/v1/auth/passkeys/{passkey_id}", "passkeys.delete"],
  startPasskeyLogin:             ["POST /api/v1/auth/passkey/login/options", "passkeys.startLogin", { public: true, body: true }],
  loginWithPasskey:              ["POST /api/v1/auth/passkey/login", "passkeys.login", { public: true, tokens: "store" }],

  authorize:                     ["GET /oauth/authorize", "oauth.authorize", { public: true, redirect: true }],
  authorizeWithForm:             ["POST /oauth/authorize", "oauth.authorizeWithForm", { public: true, redirect: true, form: true }],
  endSession:                    ["GET /oauth/logout", "oauth.endSession", { public: true, redirect: true }],
  endSessionWithForm:            ["POST /oauth/logout", "oauth.endSessionWithForm", { public: true, redirect: true, form: true }],
  listOAuthClients:              ["GET /api/v1/oauth/clients", "oauth.listClients", { page: true }],
  createOAuthClient:             ["POST /api/v1/oauth/clients", "oauth.createClient"],
  getOAuthClient:                ["GET /api/v1/oauth/clients/{client_id}", "oauth.getClient"],
  updateOAuthClient:             ["PATCH /api/v1/oauth/clients/{client_id}", "oauth.updateClient", { body: true }],
  deleteOAuthClient:             ["DELETE /api/v1/oauth/clients/{client_id}", "oauth.deleteClient"],
  rotateOAuthClientSecret:       ["POST /api/v1/oauth/clients/{client_id}/rotate-secret", "oauth.rotateClientSecret", { body: true }],
  requestToken:                  ["POST /oauth/token", "oauth.token", { public: true, form: true }],
  introspectToken:               ["POST /oauth/introspect", "oauth.introspect", { public: true, form: true }],
  revokeToken:                   ["POST /oauth/revoke", "oauth.revoke", { public: true, form: true }],
  getUserInfo:                   ["GET /oauth/userinfo", "oauth.userInfo", { public: true }],
  postUserInfo:                  ["POST /oauth/userinfo", "oauth.userInfoWithForm", { public: true, form: true }],

  listAuditLogs:                 ["GET /api/v1/audit-logs", "audit.list", { page: true }],
  exportAuditLogs:               ["GET /api/v1/audit-logs/export", "audit.export"],
} as const satisfies { readonly [K in OperationId]?: Route };

export type Routes = typeof ROUTES;
export type WiredOperationId = keyof Routes;

// ---------------------------------------------------------------------------------------------
// Types of a wired method, derived from the generated `operations`.

type Op<K extends OperationId> = operations[K];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Defined<T> = [Exclude<T, undefined>] extends [never] ? {} : Exclude<T, undefined>;

type PathParams<K extends OperationId> = Op<K>["parameters"] extends { path?: infer P } ? Defined<P> : {};
type QueryParams<K extends OperationId> = Op<K>["parameters"] extends { query?: infer Q } ? Defined<Q> : {};
type JsonBody<K extends OperationId> = Op<K> extends { requestBody?: infer B }
  ? Exclude<B, undefined> extends { content: infer C }
    ? C extends { "application/json": infer J }
      ? J
      : C extends { "application/x-www-form-urlencoded": infer F }
        ? F
        : {}
    : {}
  : {};

/** The one argument of a wired method: path + query parameters + body fields. */
export type FlatInput<K extends OperationId> = Simplify<PathParams<K> & QueryParams<K> & JsonBody<K>>;
/** For `nest` routes: path + query parameters, and the body under `body`. */
export type NestedInput<K extends OperationId> = Simplify<PathParams<K> & QueryParams<K> & { body: JsonBody<K> }>;
export type Input<K extends OperationId> = K extends WiredOperationId
  ? Routes[K] extends readonly [Endpoint, string, { readonly nest: true }]
    ? NestedInput<K>
    : FlatInput<K>
  : FlatInput<K>;
/** The input of a paginated list, without `cursor` (the iterator drives it). */
export type PageInput<K extends OperationId> = Simplify<Omit<Input<K>, "cursor"> & { cursor?: string | null }>;

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206;
type ContentOf<R> = R extends { content: infer C }
  ? [C] extends [never]
    ? void
    : C extends { "application/json": infer J }
      ? J
      : C[keyof C]
  : void;
type ResultStatus<K extends OperationId, Extra> = keyof Op<K>["responses"] & (SuccessStatus | Extra);

/** What a wired method resolves to: the body of its success answer (void for 204). */
export type Result<K extends OperationId, Extra = never> = {
  [S in ResultStatus<K, Extra>]: ContentOf<Op<K>["responses"][S]>;
}[ResultStatus<K, Extra>];

export type PageItem<K extends OperationId> = Result<K> extends { data: (infer T)[] } ? T : never;

/** Options of one call; the client's defaults otherwise. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Added to (or overriding) the client's headers. */
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxRetries?: number;
}

/** One page of a cursor-paginated list. */
export interface Page<T> {
  data: T[];
  next_cursor?: string | null;
}

/** What a paginated method returns: `for await (const item of it)`, or `.page()` for one page. */
export interface Paginator<T> extends AsyncIterable<T> {
  /** The page starting at the input's `cursor` (the first page without one). */
  page(): Promise<Page<T>>;
  /** Page after page, following `next_cursor`. */
  pages(): AsyncIterableIterator<Page<T>>;
  /** Every item of every page (mind large lists). */
  toArray(): Promise<T[]>;
}

type IsOptional<T> = {} extends T ? true : false;
type Fn<A, R> = IsOptional<A> extends true ? (input?: A, options?: CallOptions) => R : (input: A, options?: CallOptions) => R;

type Extra<R> = R extends readonly [Endpoint, string, { readonly ok: readonly (infer S)[] }] ? S : never;

export type MethodOf<K extends WiredOperationId> = Routes[K] extends readonly [Endpoint, string, { readonly page: true }]
  ? Fn<PageInput<K>, Paginator<PageItem<K>>>
  : Routes[K] extends readonly [Endpoint, string, { readonly redirect: true }]
    ? Fn<Input<K>, Promise<string>>
    : Fn<Input<K>, Promise<Result<K, Extra<Routes[K]>>>>;

type CallOf<K extends WiredOperationId> = Routes[K][1];
type NamespaceOf<C> = C extends `${infer N}.${string}` ? N : never;
type NameOf<C> = C extends `${string}.${infer M}` ? M : never;

/** `janua.auth`, `janua.sessions`, ...: one property per namespace of the table. */
export type Namespaces = {
  [N in NamespaceOf<CallOf<WiredOperationId>>]: {
    [K in WiredOperationId as CallOf<K> extends `${N}.${string}` ? NameOf<CallOf<K>> : never]: MethodOf<K>;
  };
};
