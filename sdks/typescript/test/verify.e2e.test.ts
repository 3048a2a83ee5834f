// `verifyToken` (@janua/sdk/server) against the live server's real access tokens and JWKS, and
// the tokens it must refuse: expired, wrong audience or issuer, tampered signature, `alg: none`,
// HS256 keyed with the server's public key (algorithm confusion), an unknown `kid`. Key rotation
// runs on a local JWKS endpoint, since the test cannot rotate the live server's keys.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { before, describe, it } from "node:test";

import { Janua, TokenError, type components } from "@janua/sdk";
import { createTokenVerifier, InvalidTokenError, verifyToken, type VerifyTokenOptions } from "@janua/sdk/server";
import { decodeJwt, decodeProtectedHeader, exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT } from "jose";
import { requireEnv } from "@janua/e2e-support/env";

const { JANUA_BASE_URL: baseUrl } = requireEnv();


function b64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString("base64url");
}

async function refused(promise: Promise<unknown>, reason: RegExp): Promise<InvalidTokenError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof InvalidTokenError, `expected InvalidTokenError, got ${String(error)}`);
    assert.ok(error instanceof TokenError, "an InvalidTokenError is a TokenError");
    assert.equal(error.status, 401);
    assert.match(error.reason, reason);
    return error;
  }
  assert.fail("the token was accepted");
}

describe("verifyToken against a live server", () => {
  let token = "";
  let userId = "";
  let options: VerifyTokenOptions;
  let jwk: components["schemas"]["JWK"];

  before(async () => {
    const janua = new Janua({ baseUrl });
    const { user, tokens } = await janua.auth.register({
      email: `ts-verify-${randomUUID()}@example.com`,
      password: `orchid lantern meridian ${randomUUID()}`,
    });
    token = tokens.access_token;
    userId = user.id;
    const discovery = await janua.discovery.openidConfiguration();
    const audience = decodeJwt(token).aud;
    assert.equal(typeof audience, "string");
    // The issuer is the server's public URL, which need not be the address the test reaches.
    options = { issuer: discovery.issuer, audience: audience as string, jwksUrl: `${baseUrl}/.well-known/jwks.json` };
    const kid = decodeProtectedHeader(token).kid;
    jwk = (await janua.discovery.jwks()).keys.find((k) => k.kid === kid) ?? assert.fail(`no JWK with kid ${kid}`);
  });

  it("accepts a real access token and returns typed claims", async () => {
    const claims = await verifyToken(token, options);
    assert.equal(claims.sub, userId);
    assert.equal(claims.iss, options.issuer);
    assert.equal(claims.aud, options.audience);
    assert.equal(typeof claims.sid, "string");
    assert.equal(typeof claims.jti, "string");
    assert.ok(claims.exp > claims.iat);
    if (claims.amr !== undefined) assert.ok(claims.amr.includes("pwd"), JSON.stringify(claims.amr));
    // a second verification is served from the cached JWKS
    assert.equal((await verifyToken(token, options)).sub, userId);
  });

  it("refuses an expired token", async () => {
    const later = new Date((decodeJwt(token).exp ?? 0) * 1000 + 60_000);
    await refused(verifyToken(token, { ...options, currentDate: later }), /ERR_JWT_EXPIRED/);
  });

  it("refuses a wrong audience and a wrong issuer", async () => {
    await refused(verifyToken(token, { ...options, audience: "someone-else" }), /ERR_JWT_CLAIM_VALIDATION_FAILED/);
    await refused(verifyToken(token, { ...options, issuer: "https://evil.example" }), /ERR_JWT_CLAIM_VALIDATION_FAILED/);
  });

  it("refuses a tampered signature and a tampered payload", async () => {
    const [header, payload, signature = ""] = token.split(".");
    const middle = Math.floor(signature.length / 2);
    const flipped = signature.slice(0, middle) + (signature[middle] === "A" ? "B" : "A") + signature.slice(middle + 1);
    await refused(verifyToken(`${header}.${payload}.${flipped}`, options), /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
    const claims = { ...decodeJwt(token), sub: randomUUID() };
    await refused(verifyToken(`${header}.${b64url(JSON.stringify(claims))}.${signature}`, options), /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
  });

  it("refuses alg none", async () => {
    const header = b64url(JSON.stringify({ alg: "none", typ: "JWT", kid: jwk.kid }));
    const unsigned = `${header}.${token.split(".")[1]}.`;
    await refused(verifyToken(unsigned, options), /ERR_JOSE_ALG_NOT_ALLOWED|ERR_JWS_INVALID/);
  });

  it("refuses HS256 signed with the server's public key (algorithm confusion)", async () => {
    const publicKey = await importJWK({ ...jwk, alg: "RS256" } as Parameters<typeof importJWK>[0], "RS256");
    const pem = await exportSPKI(publicKey as CryptoKey);
    for (const secret of [new TextEncoder().encode(pem), new TextEncoder().encode(JSON.stringify(jwk))]) {
      const forged = await new SignJWT({ ...decodeJwt(token) }).setProtectedHeader({ alg: "HS256", kid: jwk.kid }).sign(secret);
      await refused(verifyToken(forged, options), /ERR_JOSE_ALG_NOT_ALLOWED/);
    }
    assert.throws(() => createTokenVerifier({ ...options, algorithms: ["HS256"] }), TypeError);
    assert.throws(() => createTokenVerifier({ ...options, algorithms: ["none"] }), TypeError);
  });

  it("refuses a token signed by a key the server does not publish (unknown kid)", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT({ ...decodeJwt(token) })
      .setProtectedHeader({ alg: "RS256", kid: "not-a-janua-key" })
      .sign(privateKey);
    await refused(verifyToken(forged, options), /ERR_JWKS_NO_MATCHING_KEY/);
    const sameKid = await new SignJWT({ ...decodeJwt(token) }).setProtectedHeader({ alg: "RS256", kid: jwk.kid }).sign(privateKey);
    await refused(verifyToken(sameKid, options), /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
  });
});

describe("verifyToken and key rotation (local JWKS endpoint)", () => {
  it("re-fetches the JWKS once for an unknown kid, rate-limited by the cooldown", async () => {
    const issuer = "https://issuer.test";
    const old = await generateKeyPair("RS256");
    const rotated = await generateKeyPair("RS256");
    const published = [{ ...(await exportJWK(old.publicKey)), kid: "k1", alg: "RS256", use: "sig" }];
    let fetches = 0;
    const server: Server = createServer((_, response) => {
      fetches++;
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const sign = (key: CryptoKey, kid: string) =>
        new SignJWT({ sid: "s", jti: randomUUID() })
          .setProtectedHeader({ alg: "RS256", kid })
          .setIssuer(issuer)
          .setAudience("janua")
          .setSubject("u")
          .setIssuedAt()
          .setExpirationTime("5m")
          .sign(key);
      // Every key and token is made up front: RSA key generation on a loaded CI machine can
      // outlast the cooldown, and the checks below are about fetches, not about the clock.
      const cooldownMs = 500;
      const verify = createTokenVerifier({ issuer, audience: "janua", jwksUrl: `http://127.0.0.1:${port}/jwks`, jwksCooldownMs: cooldownMs });
      const first = await sign(old.privateKey, "k1");
      const second = await sign(old.privateKey, "k1");
      const fresh = await sign(rotated.privateKey, "k2");
      const stranger = await sign((await generateKeyPair("RS256")).privateKey, "k3");
      const rotatedJwk = { ...(await exportJWK(rotated.publicKey)), kid: "k2", alg: "RS256", use: "sig" };

      assert.equal((await verify(first)).sub, "u");
      assert.equal(fetches, 1);
      await verify(second);
      assert.equal(fetches, 1, "the JWKS is cached");

      // The server rotates: a token with the new kid arrives within the cooldown: one refusal,
      // no re-fetch storm; after the cooldown, one re-fetch finds the new key.
      published.push(rotatedJwk);
      await refused(verify(fresh), /ERR_JWKS_NO_MATCHING_KEY/);
      await refused(verify(fresh), /ERR_JWKS_NO_MATCHING_KEY/);
      assert.equal(fetches, 1, "unknown kids within the cooldown do not re-fetch");
      await new Promise((resolve) => setTimeout(resolve, cooldownMs + 50));
      assert.equal((await verify(fresh)).sub, "u");
      assert.equal(fetches, 2);
      await refused(verify(stranger), /ERR_JWKS_NO_MATCHING_KEY/);
      assert.equal(fetches, 2, "a third unknown kid right after is refused without a re-fetch");
    } finally {
      server.close();
    }
  });
});
