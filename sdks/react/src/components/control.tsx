import type { ReactNode } from "react";

import type { Authorization } from "../claims.js";
import { useAuth } from "../hooks.js";

/** Renders its children only when a user is signed in (nothing while loading). */
export function SignedIn({ children }: { children?: ReactNode }): ReactNode {
  const { isLoaded, isSignedIn } = useAuth();
  return isLoaded && isSignedIn ? children : null;
}

/** Renders its children only when nobody is signed in (nothing while loading). */
export function SignedOut({ children }: { children?: ReactNode }): ReactNode {
  const { isLoaded, isSignedIn } = useAuth();
  return isLoaded && !isSignedIn ? children : null;
}

export interface ProtectProps extends Authorization {
  /** Any check of your own; receives `has`. */
  condition?(has: (check: Authorization) => boolean): boolean;
  /** Shown when the check fails (default nothing). */
  fallback?: ReactNode;
  children?: ReactNode;
}

/**
 * Renders its children when the signed-in user passes the check in the active organization:
 * `<Protect permission="members:manage" fallback={<p>Ask an admin.</p>}>`. Without a check it
 * only requires a sign-in.
 *
 * The check reads the access token's `org_role` / `org_permissions` claims, decoded in the browser
 * without verifying the token: it decides what the interface shows, never what the user may do.
 * The server enforces permissions on every request.
 */
export function Protect({ permission, role, condition, fallback = null, children }: ProtectProps): ReactNode {
  const { isLoaded, isSignedIn, has } = useAuth();
  if (!isLoaded) return null;
  if (!isSignedIn) return fallback;
  const check: Authorization = {};
  if (permission !== undefined) check.permission = permission;
  if (role !== undefined) check.role = role;
  let allowed = true;
  if (permission !== undefined || role !== undefined) allowed = has(check);
  if (allowed && condition) allowed = condition(has);
  return allowed ? children : fallback;
}
