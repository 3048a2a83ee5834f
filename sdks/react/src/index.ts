"use client";

/**
 * `@janua/react`: React bindings for Janua on top of `@janua/sdk`.
 *
 * ```tsx
 * import { JanuaProvider, SignedIn, SignedOut, SignIn, UserButton } from "@janua/react";
 * import "@janua/react/styles.css";
 *
 * <JanuaProvider baseUrl="https://id.example.com">
 *   <SignedOut><SignIn /></SignedOut>
 *   <SignedIn><UserButton /></SignedIn>
 * </JanuaProvider>
 * ```
 */

export { JanuaProvider, CSRF_COOKIE_NAME } from "./provider.js";
export type {
  JanuaProviderProps,
  MembershipsState,
  MfaChallengeMethod,
  Organization,
  SignInParams,
  SignInResult,
  SignUpParams,
  TokenTransport,
  User,
  VerifyMfaParams,
} from "./provider.js";
export { useAuth, useJanua, useOrganization, useSession, useUser } from "./hooks.js";
export type { Session, UseAuthResult, UseOrganizationResult, UseSessionResult, UseUserResult } from "./hooks.js";
export { usePasskeys, type Passkey, type UsePasskeysOptions, type UsePasskeysResult } from "./passkeys.js";
export { decodeClaims, hasAuthorization, type Authorization, type JanuaClaims } from "./claims.js";
export { errorMessage, type MfaState } from "./errors.js";
export {
  base64UrlToBuffer,
  bufferToBase64Url,
  credentialToJSON,
  creationOptionsFromJSON,
  isWebAuthnSupported,
  requestOptionsFromJSON,
} from "./webauthn.js";
export { SignIn, type SignInProps } from "./components/SignIn.js";
export { SignUp, type SignUpProps } from "./components/SignUp.js";
export { MfaChallenge, type MfaChallengeProps } from "./components/MfaChallenge.js";
export { UserButton, type UserButtonProps } from "./components/UserButton.js";
export { OrganizationSwitcher, type OrganizationSwitcherProps } from "./components/OrganizationSwitcher.js";
export { SignedIn, SignedOut, Protect, type ProtectProps } from "./components/control.js";
