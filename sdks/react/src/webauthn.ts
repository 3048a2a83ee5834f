/**
 * WebAuthn glue: the server speaks JSON (base64url for binary fields, as py_webauthn's
 * `options_to_json` writes and its `parse_*_credential_json` reads), the browser's
 * `navigator.credentials` speaks ArrayBuffers. These helpers convert both ways, without relying on
 * `PublicKeyCredential.parseCreationOptionsFromJSON` / `toJSON()`, which not every browser has.
 */

/** `ArrayBuffer` from base64url (RFC 4648 section 5; padding optional). */
export function base64UrlToBuffer(value: string): ArrayBuffer {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** base64url without padding, from an `ArrayBuffer` or a view of one. */
export function bufferToBase64Url(value: ArrayBuffer | ArrayBufferView): string {
  const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

type Json = Record<string, unknown>;

interface DescriptorJSON {
  id: string;
  type: string;
  transports?: string[];
}

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list as DescriptorJSON[]).map((d) => ({
    ...d,
    id: base64UrlToBuffer(d.id),
    type: d.type as PublicKeyCredentialType,
    transports: d.transports as AuthenticatorTransport[] | undefined,
  }));
}

/** `PublicKeyCredentialCreationOptions` from the server's JSON (registration). */
export function creationOptionsFromJSON(json: Json): PublicKeyCredentialCreationOptions {
  const user = json["user"] as Json & { id: string };
  const options = {
    ...json,
    challenge: base64UrlToBuffer(json["challenge"] as string),
    user: { ...user, id: base64UrlToBuffer(user.id) },
  } as unknown as PublicKeyCredentialCreationOptions;
  const exclude = descriptors(json["excludeCredentials"]);
  if (exclude) options.excludeCredentials = exclude;
  return options;
}

/** `PublicKeyCredentialRequestOptions` from the server's JSON (sign-in). */
export function requestOptionsFromJSON(json: Json): PublicKeyCredentialRequestOptions {
  const options = { ...json, challenge: base64UrlToBuffer(json["challenge"] as string) } as unknown as PublicKeyCredentialRequestOptions;
  const allow = descriptors(json["allowCredentials"]);
  if (allow) options.allowCredentials = allow;
  return options;
}

/** The JSON form of a `PublicKeyCredential` (the W3C `RegistrationResponseJSON` / `AuthenticationResponseJSON`). */
export function credentialToJSON(credential: PublicKeyCredential): Json {
  const response = credential.response as AuthenticatorResponse & Partial<AuthenticatorAttestationResponse & AuthenticatorAssertionResponse>;
  const out: Json = { clientDataJSON: bufferToBase64Url(response.clientDataJSON) };
  if (response.attestationObject !== undefined) {
    out["attestationObject"] = bufferToBase64Url(response.attestationObject);
    if (typeof response.getTransports === "function") out["transports"] = response.getTransports();
  }
  if (response.authenticatorData !== undefined) out["authenticatorData"] = bufferToBase64Url(response.authenticatorData);
  if (response.signature !== undefined) out["signature"] = bufferToBase64Url(response.signature);
  if (response.userHandle) out["userHandle"] = bufferToBase64Url(response.userHandle);
  return {
    id: credential.id,
    rawId: bufferToBase64Url(credential.rawId),
    type: credential.type,
    response: out,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: typeof credential.getClientExtensionResults === "function" ? credential.getClientExtensionResults() : {},
  };
}

/** True where this browser can create and use passkeys (a secure context with WebAuthn). */
export function isWebAuthnSupported(): boolean {
  const g = globalThis as { PublicKeyCredential?: unknown; navigator?: { credentials?: unknown }; isSecureContext?: boolean };
  return typeof g.PublicKeyCredential === "function" && g.navigator?.credentials !== undefined && g.isSecureContext !== false;
}
