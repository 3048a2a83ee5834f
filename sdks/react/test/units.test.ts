import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { decodeClaims, hasAuthorization } from "../src/claims.js";
import { errorMessage, fieldErrors, mfaStateOf } from "../src/errors.js";
import {
  base64UrlToBuffer,
  bufferToBase64Url,
  credentialToJSON,
  creationOptionsFromJSON,
  requestOptionsFromJSON,
} from "../src/webauthn.js";
import { fakeJwt } from "./support.js";

describe("claims", () => {
  it("decodes a JWT payload (unverified, UTF-8) and refuses what is not one", () => {
    const claims = decodeClaims(fakeJwt({ sub: "u1", sid: "s1", name: "Zoë", org_id: "o1", org_permissions: ["members:manage"] }));
    assert.equal(claims?.sub, "u1");
    assert.equal(claims?.["name"], "Zoë");
    assert.equal(decodeClaims(""), null);
    assert.equal(decodeClaims("not.a-jwt.at-all"), null);
    assert.equal(decodeClaims(fakeJwt({ no: "sub" })), null);
    assert.equal(decodeClaims(undefined), null);
  });

  it("checks permissions and roles of the active organization only", () => {
    const inOrg = decodeClaims(fakeJwt({ sub: "u", org_id: "o", org_role: "admin", org_permissions: ["members:manage"] }));
    assert.equal(hasAuthorization(inOrg, { permission: "members:manage" }), true);
    assert.equal(hasAuthorization(inOrg, { permission: "roles:manage" }), false);
    assert.equal(hasAuthorization(inOrg, { role: "admin" }), true);
    assert.equal(hasAuthorization(inOrg, { role: "admin", permission: "roles:manage" }), false);
    assert.equal(hasAuthorization(inOrg, {}), false);
    const personal = decodeClaims(fakeJwt({ sub: "u", org_permissions: ["members:manage"] }));
    assert.equal(hasAuthorization(personal, { permission: "members:manage" }), false);
    assert.equal(hasAuthorization(null, { permission: "members:manage" }), false);
  });
});

describe("webauthn helpers", () => {
  it("round-trips base64url without padding, for every byte value", () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const encoded = bufferToBase64Url(bytes.buffer);
    assert.doesNotMatch(encoded, /[+/=]/);
    assert.deepEqual(new Uint8Array(base64UrlToBuffer(encoded)), bytes);
    assert.equal(bufferToBase64Url(new Uint8Array([0xfb, 0xff]).subarray(1)), "_w");
    assert.deepEqual(new Uint8Array(base64UrlToBuffer("_w==")), new Uint8Array([0xff]));
  });

  it("turns the server's option JSON into WebAuthn options with ArrayBuffers", () => {
    const created = creationOptionsFromJSON({
      challenge: "AQID",
      rp: { id: "localhost", name: "Janua" },
      user: { id: "BAU", name: "ada", displayName: "Ada" },
      excludeCredentials: [{ id: "Bg", type: "public-key", transports: ["usb"] }],
    });
    assert.deepEqual(new Uint8Array(created.challenge as ArrayBuffer), new Uint8Array([1, 2, 3]));
    assert.deepEqual(new Uint8Array(created.user.id as ArrayBuffer), new Uint8Array([4, 5]));
    assert.equal(created.user.name, "ada");
    assert.deepEqual(new Uint8Array(created.excludeCredentials?.[0]?.id as ArrayBuffer), new Uint8Array([6]));
    assert.deepEqual(created.excludeCredentials?.[0]?.transports, ["usb"]);
    const requested = requestOptionsFromJSON({ challenge: "AQID", allowCredentials: [{ id: "Bg", type: "public-key" }], rpId: "localhost" });
    assert.equal(requested.rpId, "localhost");
    assert.deepEqual(new Uint8Array(requested.allowCredentials?.[0]?.id as ArrayBuffer), new Uint8Array([6]));
  });

  it("serialises attestation and assertion credentials to JSON", () => {
    const buf = (...b: number[]) => new Uint8Array(b).buffer;
    const attestation = credentialToJSON({
      id: "AQ",
      rawId: buf(1),
      type: "public-key",
      authenticatorAttachment: "platform",
      getClientExtensionResults: () => ({ credProps: { rk: true } }),
      response: { clientDataJSON: buf(2), attestationObject: buf(3), getTransports: () => ["internal"] },
    } as unknown as PublicKeyCredential);
    assert.deepEqual(attestation, {
      id: "AQ",
      rawId: "AQ",
      type: "public-key",
      authenticatorAttachment: "platform",
      clientExtensionResults: { credProps: { rk: true } },
      response: { clientDataJSON: "Ag", attestationObject: "Aw", transports: ["internal"] },
    });
    const assertion = credentialToJSON({
      id: "AQ",
      rawId: buf(1),
      type: "public-key",
      authenticatorAttachment: null,
      getClientExtensionResults: () => ({}),
      response: { clientDataJSON: buf(2), authenticatorData: buf(4), signature: buf(5), userHandle: buf(6) },
    } as unknown as PublicKeyCredential);
    assert.deepEqual(assertion["response"], { clientDataJSON: "Ag", authenticatorData: "BA", signature: "BQ", userHandle: "Bg" });
  });
});

describe("error messages", () => {
  it("speaks to people, by context", () => {
    assert.equal(errorMessage({ status: 401, code: "AUTHENTICATION_ERROR" }, "sign-in"), "The email or password is incorrect.");
    assert.equal(errorMessage({ status: 409, code: "CONFLICT_ERROR" }, "sign-up"), "An account with this email already exists.");
    assert.equal(errorMessage({ status: 429, code: "RATE_LIMIT_ERROR", retryAfter: 30 }), "Too many attempts. Try again in 30 seconds.");
    assert.equal(errorMessage({ status: 404, detail: "No such organization." }), "No such organization.");
    const network = Object.assign(new Error("fetch failed"), { name: "NetworkError" });
    assert.match(errorMessage(network), /cannot be reached/);
  });

  it("maps field errors by JSON pointer and reads MFA_REQUIRED", () => {
    assert.deepEqual(fieldErrors({ errors: [{ pointer: "#/password", detail: "Too short." }, { pointer: "/email", detail: "Bad." }] }), {
      password: "Too short.",
      email: "Bad.",
    });
    assert.deepEqual(mfaStateOf({ code: "MFA_REQUIRED", mfaToken: "t", mfaMethods: ["totp"], mfaTokenExpiresIn: 300 }), {
      token: "t",
      methods: ["totp"],
      expiresIn: 300,
    });
    assert.equal(mfaStateOf({ code: "AUTHENTICATION_ERROR" }), null);
  });
});
