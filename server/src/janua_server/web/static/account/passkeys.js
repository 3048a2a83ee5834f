// Janua account page: passkeys. Plain JavaScript over the public API (no framework), under a
// strict CSP (this file is the page's only script). The access token lives in memory only:
// reloading the page signs out of the page (the session itself stays until it is signed out).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  let accessToken = null;
  let pendingMfaToken = null;

  // ---- base64url <-> ArrayBuffer (WebAuthn's binary members travel as base64url) ----------

  const b64url = {
    decode(value) {
      const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
      const raw = atob(base64 + "===".slice((base64.length + 3) % 4));
      return Uint8Array.from(raw, (c) => c.charCodeAt(0)).buffer;
    },
    encode(buffer) {
      let raw = "";
      for (const byte of new Uint8Array(buffer)) raw += String.fromCharCode(byte);
      return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    },
  };

  function creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    return {
      ...json,
      challenge: b64url.decode(json.challenge),
      user: { ...json.user, id: b64url.decode(json.user.id) },
      excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: b64url.decode(c.id) })),
    };
  }

  function requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    return {
      ...json,
      challenge: b64url.decode(json.challenge),
      allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: b64url.decode(c.id) })),
    };
  }

  // The W3C JSON forms (RegistrationResponseJSON, AuthenticationResponseJSON) the API takes.
  function credentialJSON(credential) {
    if (typeof credential.toJSON === "function") return credential.toJSON();
    const r = credential.response;
    const response = { clientDataJSON: b64url.encode(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = b64url.encode(r.attestationObject);
      if (r.getTransports) response.transports = r.getTransports();
    } else {
      response.authenticatorData = b64url.encode(r.authenticatorData);
      response.signature = b64url.encode(r.signature);
      if (r.userHandle) response.userHandle = b64url.encode(r.userHandle);
    }
    return {
      id: credential.id,
      rawId: b64url.encode(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response,
    };
  }

  // ---- the API ----------------------------------------------------------------------------

  async function api(method, path, body) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (accessToken) headers.Authorization = "Bearer " + accessToken;
    const answer = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    let data = null;
    if (answer.status !== 204) data = await answer.json().catch(() => null);
    return { ok: answer.ok, status: answer.status, data };
  }

  function problem(answer) {
    return (answer.data && (answer.data.detail || answer.data.title)) || "Something went wrong (" + answer.status + ").";
  }

  function say(message, isError) {
    const region = $("status");
    region.textContent = message || "";
    region.classList.toggle("error", Boolean(isError));
  }

  // ---- what the page shows ----------------------------------------------------------------

  function show(section) {
    for (const id of ["signed-out", "second-factor", "signed-in"]) $(id).hidden = id !== section;
  }

  function amrOf(token) {
    // Display only: the server verifies tokens; the page just reads how it signed in.
    try {
      const payload = token.split(".")[1];
      return JSON.parse(new TextDecoder().decode(b64url.decode(payload))).amr || [];
    } catch (error) {
      return [];
    }
  }

  async function signedIn(tokens) {
    accessToken = tokens.access_token;
    pendingMfaToken = null;
    const me = await api("GET", "/api/v1/auth/me");
    if (!me.ok) {
      say(problem(me), true);
      return;
    }
    $("profile-email").textContent = me.data.email;
    $("profile-amr").textContent = amrOf(accessToken).join(", ");
    show("signed-in");
    await listPasskeys();
  }

  async function listPasskeys() {
    const answer = await api("GET", "/api/v1/auth/passkeys?limit=100");
    if (!answer.ok) {
      say(problem(answer), true);
      return;
    }
    const list = $("passkey-list");
    list.replaceChildren();
    for (const passkey of answer.data.data) {
      const item = document.createElement("li");
      const label = document.createElement("span");
      label.textContent = passkey.name;
      const detail = document.createElement("small");
      detail.textContent =
        (passkey.device_type === "multi_device" ? "Synced" : "This device only") +
        (passkey.last_used_at ? ", last used " + new Date(passkey.last_used_at).toLocaleString() : ", not used yet");
      label.append(detail);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "danger";
      remove.textContent = "Delete";
      remove.setAttribute("aria-label", "Delete passkey " + passkey.name);
      remove.addEventListener("click", () => deletePasskey(passkey));
      item.append(label, remove);
      list.append(item);
    }
    $("no-passkeys").hidden = answer.data.data.length > 0;
  }

  // ---- actions ----------------------------------------------------------------------------

  async function passwordStep(event) {
    event.preventDefault();
    const form = event.target;
    const signUp = event.submitter && event.submitter.value === "sign-up";
    const body = { email: form.elements.email.value, password: form.elements.password.value };
    const answer = await api("POST", signUp ? "/api/v1/auth/register" : "/api/v1/auth/login", body);
    form.elements.password.value = "";
    if (answer.ok) {
      say(signUp ? "Account created." : "");
      await signedIn(answer.data.tokens);
    } else if (answer.status === 403 && answer.data && answer.data.code === "MFA_REQUIRED") {
      if (!answer.data.mfa_methods.includes("passkey")) {
        say("This account confirms sign-ins with a code; use the application's sign-in page.", true);
        return;
      }
      pendingMfaToken = answer.data.mfa_token;
      say("");
      show("second-factor");
    } else {
      say(problem(answer), true);
    }
  }

  async function passkeySignIn(mfaToken) {
    say("");
    const started = await api("POST", "/api/v1/auth/passkey/login/options", mfaToken ? { mfa_token: mfaToken } : {});
    if (!started.ok) {
      say(problem(started), true);
      return;
    }
    let credential;
    try {
      credential = await navigator.credentials.get({ publicKey: requestOptions(started.data.public_key) });
    } catch (error) {
      say("The passkey was not used. Try again.", true);
      return;
    }
    const body = { challenge_id: started.data.challenge_id, credential: credentialJSON(credential) };
    if (mfaToken) body.mfa_token = mfaToken;
    const answer = await api("POST", "/api/v1/auth/passkey/login", body);
    if (!answer.ok) {
      say(problem(answer), true);
      return;
    }
    await signedIn(answer.data.tokens);
  }

  async function addPasskey(event) {
    event.preventDefault();
    say("");
    const started = await api("POST", "/api/v1/auth/passkey/register/options");
    if (!started.ok) {
      say(problem(started), true);
      return;
    }
    let credential;
    try {
      credential = await navigator.credentials.create({ publicKey: creationOptions(started.data) });
    } catch (error) {
      say(error && error.name === "InvalidStateError"
        ? "This device already holds one of your passkeys."
        : "No passkey was created. Try again.", true);
      return;
    }
    const body = { credential: credentialJSON(credential) };
    const name = $("passkey-name").value.trim();
    if (name) body.name = name;
    const answer = await api("POST", "/api/v1/auth/passkey/register", body);
    if (!answer.ok) {
      say(problem(answer), true);
      return;
    }
    $("passkey-name").value = "";
    say("Passkey added: " + answer.data.name + ".");
    await listPasskeys();
  }

  async function deletePasskey(passkey) {
    const answer = await api("DELETE", "/api/v1/auth/passkeys/" + encodeURIComponent(passkey.id));
    if (!answer.ok) {
      say(problem(answer), true);
      return;
    }
    say("Passkey deleted: " + passkey.name + ". Remove it from your device too.");
    await listPasskeys();
  }

  async function signOut() {
    await api("POST", "/api/v1/auth/logout");
    accessToken = null;
    say("Signed out.");
    show("signed-out");
  }

  // ---- wiring -----------------------------------------------------------------------------

  $("password-form").addEventListener("submit", passwordStep);
  $("passkey-sign-in").addEventListener("click", () => passkeySignIn(null));
  $("passkey-second-factor").addEventListener("click", () => passkeySignIn(pendingMfaToken));
  $("second-factor-cancel").addEventListener("click", () => {
    pendingMfaToken = null;
    show("signed-out");
  });
  $("add-passkey-form").addEventListener("submit", addPasskey);
  $("sign-out").addEventListener("click", signOut);
  if (!window.PublicKeyCredential) {
    $("unsupported").hidden = false;
    $("passkey-sign-in").disabled = true;
  }
  show("signed-out");
})();
