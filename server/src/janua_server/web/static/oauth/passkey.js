// Janua hosted pages: passkey (WebAuthn) sign-in. Progressive enhancement: the block stays
// hidden where the browser has no WebAuthn. The page's form carries the interaction and its CSRF
// token; this script asks the server for a challenge, lets the browser sign it, and submits the
// signed assertion with that form (so the answer is a 303 like every other sign-in step).
"use strict";

(function () {
  const b64url = {
    decode(value) {
      const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
      const raw = atob(base64 + "===".slice((base64.length + 3) % 4));
      return Uint8Array.from(raw, (c) => c.charCodeAt(0)).buffer;
    },
    encode(buffer) {
      const bytes = new Uint8Array(buffer);
      let raw = "";
      for (const byte of bytes) raw += String.fromCharCode(byte);
      return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    },
  };

  function announce(message) {
    const region = document.getElementById("messages");
    if (region) region.textContent = message;
  }

  function requestOptions(json) {
    if (window.PublicKeyCredential && PublicKeyCredential.parseRequestOptionsFromJSON) {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    return {
      ...json,
      challenge: b64url.decode(json.challenge),
      allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: b64url.decode(c.id) })),
    };
  }

  function credentialJSON(credential) {
    if (typeof credential.toJSON === "function") return credential.toJSON();
    const r = credential.response;
    return {
      id: credential.id,
      rawId: b64url.encode(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: b64url.encode(r.clientDataJSON),
        authenticatorData: b64url.encode(r.authenticatorData),
        signature: b64url.encode(r.signature),
        userHandle: r.userHandle ? b64url.encode(r.userHandle) : null,
      },
    };
  }

  async function signIn(form) {
    const body = new URLSearchParams(new FormData(form));
    const answer = await fetch("/oauth/sign-in/passkey/options", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
      credentials: "same-origin",
    });
    if (!answer.ok) {
      announce("Passkey sign-in is not available right now. Use your password instead.");
      return;
    }
    const { challenge, publicKey } = await answer.json();
    let credential;
    try {
      credential = await navigator.credentials.get({ publicKey: requestOptions(publicKey) });
    } catch (error) {
      announce("The passkey was not used. Try again, or use your password.");
      return;
    }
    form.elements.credential.value = JSON.stringify(credentialJSON(credential));
    form.elements.challenge.value = challenge;
    form.submit();
  }

  if (!window.PublicKeyCredential) return;
  for (const block of document.querySelectorAll("[data-passkey-sign-in]")) {
    block.hidden = false;
    const form = block.querySelector("[data-passkey-form]");
    block.querySelector("[data-passkey-button]").addEventListener("click", () => signIn(form));
  }
})();
