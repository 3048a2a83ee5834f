import "./dom.js";

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";

import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryTokenStorage } from "@janua/sdk";

import { JanuaProvider, usePasskeys } from "../src/index.js";
import { FakeJanua } from "./support.js";

let server: FakeJanua;
beforeEach(() => {
  server = new FakeJanua().install();
});
afterEach(() => cleanup());

function Passkeys() {
  const { passkeys, register, remove, isLoading } = usePasskeys();
  return (
    <div>
      <p>{isLoading ? "loading" : `${passkeys.length} passkeys`}</p>
      <ul>
        {passkeys.map((p) => (
          <li key={p.id}>
            {String(p.name)} <button onClick={() => void remove(p.id)}>Delete {String(p.name)}</button>
          </li>
        ))}
      </ul>
      <button onClick={() => void register("Laptop")}>Add a passkey</button>
    </div>
  );
}

describe("usePasskeys", () => {
  it("registers through navigator.credentials.create, lists and deletes", async () => {
    const tokens = server.tokens("u-ada", null);
    let created: CredentialCreationOptions | undefined;
    const buf = (s: string) => new TextEncoder().encode(s).buffer;
    Object.defineProperty(navigator, "credentials", {
      configurable: true,
      value: {
        create: async (options: CredentialCreationOptions) => {
          created = options;
          return {
            id: "new-cred",
            rawId: buf("new-cred"),
            type: "public-key",
            authenticatorAttachment: "platform",
            getClientExtensionResults: () => ({}),
            response: { clientDataJSON: buf("{}"), attestationObject: buf("att"), getTransports: () => ["internal"] },
          };
        },
      },
    });
    const storage = new MemoryTokenStorage({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token!, expiresAt: Date.now() + 900_000 });
    render(
      <JanuaProvider baseUrl="https://api.test" tokenStorage={storage} tokenTransport="body">
        <Passkeys />
      </JanuaProvider>,
    );
    await screen.findByText("0 passkeys");
    fireEvent.click(screen.getByRole("button", { name: "Add a passkey" }));
    await screen.findByText("1 passkeys");
    const options = created?.publicKey;
    assert.equal(new TextDecoder().decode(options?.challenge as ArrayBuffer), "register-challenge");
    assert.equal(new TextDecoder().decode(options?.user.id as ArrayBuffer), "u-ada");
    assert.equal(new TextDecoder().decode(options?.excludeCredentials?.[0]?.id as ArrayBuffer), "old-credential");
    const register = server.last("POST /api/v1/auth/passkey/register");
    assert.equal(register?.headers.get("authorization"), `Bearer ${tokens.access_token}`);
    assert.equal(register?.body?.["name"], "Laptop");
    const credential = register?.body?.["credential"] as { rawId: string; response: { attestationObject: string; transports: string[] } };
    assert.equal(credential.rawId, Buffer.from("new-cred").toString("base64url"));
    assert.equal(credential.response.attestationObject, Buffer.from("att").toString("base64url"));
    assert.deepEqual(credential.response.transports, ["internal"]);

    fireEvent.click(screen.getByRole("button", { name: "Delete Laptop" }));
    await screen.findByText("0 passkeys");
    await waitFor(() => assert.ok(server.calls.some((c) => c.method === "DELETE" && c.path.startsWith("/api/v1/auth/passkeys/pk-"))));
  });
});
