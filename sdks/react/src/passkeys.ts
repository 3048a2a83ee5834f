/**
 * `usePasskeys()`: list, register, rename and delete the user's passkeys, and sign in with one,
 * through the browser's WebAuthn API (`navigator.credentials`) and the SDK's `passkeys`
 * namespace (refresh, retries, typed errors and token storage included):
 *
 *   passkeys.startRegistration()   creation options (signed in)
 *   passkeys.register()            { credential, name? } -> Passkey
 *   passkeys.list()                every passkey, page by page
 *   passkeys.update()              { passkey_id, name }
 *   passkeys.delete()              { passkey_id }
 *   passkeys.startLogin()          { mfa_token? } -> request options + challenge_id
 *   passkeys.login()               { challenge_id, credential, mfa_token?, ... } -> AuthResponse
 */

import type { components } from "@janua/sdk";
import { useCallback, useEffect, useState } from "react";

import { useJanuaContext } from "./hooks.js";
import type { User } from "./provider.js";
import { credentialToJSON, creationOptionsFromJSON, isWebAuthnSupported, requestOptionsFromJSON } from "./webauthn.js";

type Schemas = components["schemas"];
export type Passkey = Schemas["Passkey"];
type Json = Record<string, unknown>;

export interface UsePasskeysOptions {
  /** Load the list on mount when signed in (default true). */
  load?: boolean;
}

export interface UsePasskeysResult {
  /** WebAuthn is available here (a secure context with `PublicKeyCredential`). */
  isSupported: boolean;
  passkeys: Passkey[];
  isLoading: boolean;
  error: unknown;
  reload(): Promise<Passkey[]>;
  /** Create a passkey on this device (the browser asks the user) and register it. */
  register(name?: string): Promise<Passkey>;
  rename(passkeyId: string, name: string): Promise<Passkey>;
  remove(passkeyId: string): Promise<void>;
  /**
   * Sign in with a passkey: usernameless, or as the second factor of a password sign-in when
   * `mfaToken` (from `MFA_REQUIRED`) is given.
   */
  authenticate(params?: { mfaToken?: string }): Promise<User | null>;
}

export function usePasskeys(options: UsePasskeysOptions = {}): UsePasskeysResult {
  const ctx = useJanuaContext();
  const { janua, claims, user, tokenTransport, deviceLabel, acceptSignIn } = ctx;
  const signedIn = claims !== null && user !== null;
  const [passkeys, setPasskeys] = useState<Passkey[]>([]);
  const [isLoading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const all: Passkey[] = [];
      for await (const passkey of janua.passkeys.list({ limit: 100 })) all.push(passkey);
      setPasskeys(all);
      return all;
    } catch (e) {
      setError(e);
      throw e;
    } finally {
      setLoading(false);
    }
  }, [janua]);

  const load = options.load ?? true;
  useEffect(() => {
    if (load && signedIn) void reload().catch(() => undefined);
  }, [load, signedIn, reload]);

  const register = useCallback(
    async (name?: string) => {
      const options = await janua.passkeys.startRegistration();
      const credential = (await navigator.credentials.create({ publicKey: creationOptionsFromJSON(options as unknown as Json) })) as PublicKeyCredential | null;
      if (!credential) throw new Error("No passkey was created.");
      const created = await janua.passkeys.register({
        credential: credentialToJSON(credential) as unknown as Schemas["PasskeyRegistrationCredential"],
        ...(name ? { name } : {}),
      });
      setPasskeys((list) => [created, ...list.filter((p) => p.id !== created.id)]);
      return created;
    },
    [janua],
  );

  const rename = useCallback(
    async (passkeyId: string, name: string) => {
      const renamed = await janua.passkeys.update({ passkey_id: passkeyId, name });
      setPasskeys((list) => list.map((p) => (p.id === passkeyId ? renamed : p)));
      return renamed;
    },
    [janua],
  );

  const remove = useCallback(
    async (passkeyId: string) => {
      await janua.passkeys.delete({ passkey_id: passkeyId });
      setPasskeys((list) => list.filter((p) => p.id !== passkeyId));
    },
    [janua],
  );

  const authenticate = useCallback(
    async ({ mfaToken }: { mfaToken?: string } = {}) => {
      const mfa = mfaToken ? { mfa_token: mfaToken } : {};
      const { challenge_id, public_key } = await janua.passkeys.startLogin(mfa);
      const credential = (await navigator.credentials.get({ publicKey: requestOptionsFromJSON(public_key as unknown as Json) })) as PublicKeyCredential | null;
      if (!credential) throw new Error("No passkey was chosen.");
      // The SDK keeps the answer's tokens (a sign-in), as for a password sign-in.
      const signedInAnswer = await janua.passkeys.login({
        challenge_id,
        credential: credentialToJSON(credential) as unknown as Schemas["PasskeyAuthenticationCredential"],
        ...mfa,
        token_transport: tokenTransport,
        ...(deviceLabel ? { device_label: deviceLabel } : {}),
      });
      await acceptSignIn(signedInAnswer.user);
      return signedInAnswer.user;
    },
    [janua, tokenTransport, deviceLabel, acceptSignIn],
  );

  return { isSupported: isWebAuthnSupported(), passkeys, isLoading, error, reload, register, rename, remove, authenticate };
}
