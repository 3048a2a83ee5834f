// The types of mail.js (hand-written: the package has no build step).

/** How many mails the spool holds: the number of the latest one. */
export function mailCount(folder: string): Promise<number>;

/**
 * The link to `path` in the newest mail to `to` numbered above `after` (default 0), as a `URL`
 * whose `token` query parameter is set; polls the spool every 50 ms for up to `seconds`
 * (default 10), then throws.
 */
export function mailedLink(folder: string, to: string, path: string, options?: { after?: number; seconds?: number }): Promise<URL>;

/** The `token` of the link `mailedLink` finds. */
export function mailedLinkToken(folder: string, to: string, path: string, options?: { after?: number; seconds?: number }): Promise<string>;
