// The types of env.js (hand-written: the package has no build step).

/** `JANUA_BASE_URL` and the other settings `names`, by name; throws when any is unset. */
export function requireEnv<N extends string = never>(...names: N[]): Record<"JANUA_BASE_URL" | N, string>;

/** What an earlier step of an ordered suite produced; fails the step when it is missing. */
export function need<T>(value: T | undefined | null, what?: string): T;
