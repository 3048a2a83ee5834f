// Reading the mails the live server sent: `nox -s e2e` and `nox -s react` run an SMTP sink that
// spools each one as <n>.eml (numbered from 1 in order of arrival, zero-padded) into
// JANUA_MAIL_DIR (tests/e2e/scenario.md, "Mails"). A minimal RFC 5322 / MIME reader, enough for
// the server's multipart/alternative mails (text + HTML, quoted-printable, base64 or 7/8bit),
// and a poll for the link a step needs: the server mails in the background, after it has
// answered. Used by sdks/typescript/test and sdks/react/example/test; types in mail.d.ts.

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** @typedef {{ headers: Map<string, string>, body: string }} Part */

/**
 * A message or body part: its unfolded headers (lower-cased names) and its raw body.
 * @param {string} raw
 * @returns {Part}
 */
function splitPart(raw) {
  const text = raw.replace(/\r\n/g, "\n");
  const end = text.indexOf("\n\n");
  const head = end === -1 ? text : text.slice(0, end);
  const headers = new Map();
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: end === -1 ? "" : text.slice(end + 2) };
}

/** @param {string} body */
function decodeQuotedPrintable(body) {
  const joined = body.replace(/=\n/g, ""); // soft line breaks
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/**
 * The decoded text/plain part of a message (charset UTF-8), descending into multiparts.
 * @param {Part} part
 * @returns {string | undefined}
 */
function textPart(part) {
  const contentType = part.headers.get("content-type") ?? "text/plain";
  const mediaType = contentType.split(";")[0].trim().toLowerCase();
  if (mediaType === "text/plain") {
    const encoding = (part.headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
    if (encoding === "quoted-printable") return decodeQuotedPrintable(part.body);
    if (encoding === "base64") return Buffer.from(part.body.replace(/\s+/g, ""), "base64").toString("utf8");
    return part.body;
  }
  if (!mediaType.startsWith("multipart/")) return undefined;
  const boundary = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw new Error(`multipart without a boundary: ${contentType}`);
  for (const section of `\n${part.body}`.split(`\n--${boundary[1] ?? boundary[2]}`).slice(1)) {
    if (section.startsWith("--")) break; // the closing delimiter
    const found = textPart(splitPart(section.replace(/^[ \t]*\n/, "")));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** @param {string} folder */
async function mailFiles(folder) {
  return (await readdir(folder)).filter((name) => name.endsWith(".eml")).sort();
}

/**
 * How many mails the spool holds: the number of the latest one.
 * @param {string} folder
 * @returns {Promise<number>}
 */
export async function mailCount(folder) {
  return (await mailFiles(folder)).length;
}

/**
 * The link to `path` in the newest mail to `to` numbered above `after`, as a `URL` whose
 * `token` query parameter is set; polls the spool every 50 ms for up to `seconds`.
 * @param {string} folder
 * @param {string} to
 * @param {string} path
 * @param {{ after?: number, seconds?: number }} [options]
 * @returns {Promise<URL>}
 */
export async function mailedLink(folder, to, path, { after = 0, seconds = 10 } = {}) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    for (const name of (await mailFiles(folder)).reverse()) {
      if (Number.parseInt(name, 10) <= after) break;
      const message = splitPart(await readFile(join(folder, name), "utf8"));
      if (!(message.headers.get("to") ?? "").toLowerCase().includes(to.toLowerCase())) continue;
      const text = textPart(message);
      if (text === undefined) throw new Error(`${name} has no text/plain part`);
      for (const candidate of text.match(/https?:\/\/\S+/g) ?? []) {
        const url = new URL(candidate);
        if (url.pathname.endsWith(path) && url.searchParams.get("token")) return url;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`no mail to ${to}${after ? ` numbered above ${after}` : ""} with a ${path} link in ${folder} within ${seconds}s`);
    }
    await sleep(50);
  }
}

/**
 * The `token` of that link (`mailedLink`).
 * @param {string} folder
 * @param {string} to
 * @param {string} path
 * @param {{ after?: number, seconds?: number }} [options]
 * @returns {Promise<string>}
 */
export async function mailedLinkToken(folder, to, path, options) {
  return /** @type {string} */ ((await mailedLink(folder, to, path, options)).searchParams.get("token"));
}
