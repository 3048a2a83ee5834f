// Janua as the OpenID Provider of panva's openid-client v6 (OpenID-certified relying party):
// discovery, the authorization code flow with PKCE (S256) through the hosted sign-in and
// consent pages, ID token validation (openid-client's own checks plus the signature against
// the published JWKS), userinfo, refresh, introspection, revocation, client_credentials and
// RP-initiated logout. Nothing here uses Janua's code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import * as client from "openid-client";

const janua = JSON.parse(readFileSync(process.env.JANUA_INTEROP_CONFIG, "utf8"));
const issuer = new URL(janua.issuer);
const insecure = { execute: [client.allowInsecureRequests] }; // http://localhost in tests

// ---- a browser, as far as the hosted pages care -------------------------------------------
// Keeps cookies (Secure ones too: http://localhost is a secure context for browsers), follows
// Janua's redirects one by one, and submits the hosted forms with their hidden fields.
class Browser {
  cookies = new Map();

  async fetch(url, init = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size) {
      headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const response = await fetch(new URL(url, issuer), { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const [name, ...value] = pair.trim().split("=");
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value.join("="));
    }
    return response;
  }

  async untilLeaving(response) {
    while ([302, 303].includes(response.status)) {
      const location = new URL(response.headers.get("location"), issuer);
      if (location.origin !== issuer.origin) return response;
      response = await this.fetch(location);
    }
    return response;
  }

  static formFields(html, action) {
    const form = html.match(new RegExp(`<form[^>]*action="${action}"[^>]*>([\\s\\S]*?)</form>`));
    assert.ok(form, `a form posting to ${action}`);
    const fields = {};
    for (const input of form[1].matchAll(/<input([^>]*)>/g)) {
      const name = input[1].match(/name="([^"]*)"/);
      const value = input[1].match(/value="([^"]*)"/);
      if (name) fields[name[1]] = value ? unescape(value[1]) : "";
    }
    return fields;
  }

  async submit(html, action, values) {
    const body = new URLSearchParams({ ...Browser.formFields(html, action), ...values });
    const response = await this.fetch(action, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(response.status, 303, "hosted forms answer 303");
    return this.untilLeaving(response);
  }

  // Open an authorization URL, sign in and consent when asked; the redirect back to the client.
  async authorize(url) {
    let response = await this.untilLeaving(await this.fetch(url));
    let html = response.status === 200 ? await response.text() : "";
    if (html.includes('action="/oauth/sign-in"')) {
      response = await this.submit(html, "/oauth/sign-in", {
        email: janua.email,
        password: janua.password,
      });
      html = response.status === 200 ? await response.text() : "";
    }
    if (html.includes('action="/oauth/consent"')) {
      response = await this.submit(html, "/oauth/consent", { decision: "allow" });
    }
    assert.equal(response.status, 303, html.slice(0, 300));
    return new URL(response.headers.get("location"));
  }
}

function unescape(value) {
  return value
    .replaceAll("&#34;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

// RS256 signature of a JWT against the provider's JWKS, with node:crypto alone.
async function verifySignature(config, jwt) {
  const [header, payload, signature] = jwt.split(".");
  const { kid, alg } = JSON.parse(Buffer.from(header, "base64url"));
  assert.equal(alg, "RS256");
  const jwks = await (await fetch(config.serverMetadata().jwks_uri)).json();
  const jwk = jwks.keys.find((key) => key.kid === kid);
  assert.ok(jwk, "the signing key is published");
  const ok = verify(
    "sha256",
    Buffer.from(`${header}.${payload}`),
    createPublicKey({ key: jwk, format: "jwk" }),
    Buffer.from(signature, "base64url"),
  );
  assert.ok(ok, "signature verifies against the JWKS");
  return JSON.parse(Buffer.from(payload, "base64url"));
}

const web = janua.confidential;
const spa = janua.public;

test("discovery is complete and truthful", async () => {
  const config = await client.discovery(issuer, web.client_id, web.client_secret, undefined, insecure);
  const meta = config.serverMetadata();
  assert.equal(meta.issuer, janua.issuer);
  for (const name of ["authorization_endpoint", "token_endpoint", "userinfo_endpoint",
    "jwks_uri", "introspection_endpoint", "revocation_endpoint", "end_session_endpoint"]) {
    assert.ok(meta[name], name);
  }
  assert.ok(meta.code_challenge_methods_supported.includes("S256"));
  assert.ok(!meta.code_challenge_methods_supported.includes("plain"));
  assert.equal(meta.authorization_response_iss_parameter_supported, true);
});

test("authorization code + PKCE through the hosted pages, then every endpoint", async () => {
  const config = await client.discovery(
    issuer, web.client_id, web.client_secret, client.ClientSecretBasic(web.client_secret), insecure,
  );
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: janua.callback,
    scope: "openid profile email offline_access",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    nonce,
    state,
  });
  const callback = await new Browser().authorize(url);
  assert.equal(callback.searchParams.get("iss"), janua.issuer); // RFC 9207

  // openid-client checks state, iss, the code exchange, and the ID token's claims (iss, aud,
  // exp, iat, nonce); the signature is checked against the JWKS as well.
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedNonce: nonce,
    expectedState: state,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert.equal(claims.email, janua.email);
  assert.ok(claims.at_hash && claims.auth_time && claims.amr.includes("pwd"));
  const signed = await verifySignature(config, tokens.id_token);
  assert.equal(signed.sub, claims.sub);

  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(userinfo.email, janua.email);

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token);

  const active = await client.tokenIntrospection(config, refreshed.access_token);
  assert.equal(active.active, true);
  assert.equal(active.client_id, web.client_id);
  assert.equal(active.sub, claims.sub);

  await client.tokenRevocation(config, refreshed.access_token);
  const inactive = await client.tokenIntrospection(config, refreshed.access_token);
  assert.equal(inactive.active, false);

  await client.tokenRevocation(config, refreshed.refresh_token, { token_type_hint: "refresh_token" });
  await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), (error) => {
    assert.equal(error.error, "invalid_grant");
    return true;
  });
});

test("client_credentials", async () => {
  // The client registered client_secret_basic; Janua holds it to that (RFC 7591 section 2).
  const config = await client.discovery(
    issuer, web.client_id, web.client_secret, client.ClientSecretBasic(web.client_secret), insecure,
  );
  const tokens = await client.clientCredentialsGrant(config, { scope: "api:read" });
  assert.equal(tokens.refresh_token, undefined);
  const claims = await verifySignature(config, tokens.access_token);
  assert.equal(claims.client_id, web.client_id);
  assert.equal(claims.scope, "api:read");
});

test("public client, then RP-initiated logout", async () => {
  const config = await client.discovery(issuer, spa.client_id, undefined, client.None(), insecure);
  const browser = new Browser();
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: janua.callback,
    scope: "openid email",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    nonce,
  });
  const callback = await browser.authorize(url);
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const logout = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: janua.signed_out,
    state: "bye",
  });
  const ended = await browser.fetch(logout);
  assert.equal(ended.status, 303);
  assert.equal(ended.headers.get("location"), `${janua.signed_out}?state=bye`);
  const again = await browser.fetch(client.buildAuthorizationUrl(config, {
    redirect_uri: janua.callback,
    scope: "openid",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    prompt: "none",
  }));
  assert.equal(new URL(again.headers.get("location")).searchParams.get("error"), "login_required");
});
