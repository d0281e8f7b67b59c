/**
 * @module The edge's keys and targets as rules (contract §8, reference §D.1): a route or redirect id is
 * `host[:port][/path]`, normalised to one spelling (host lower-cased, no trailing slash, the path's
 * escapes as match.ts matches them) so two spellings of one key cannot be two rows; route targets are
 * absolute http(s) URLs or `slug:<service>`; redirect targets are absolute URLs. Every refusal is a
 * 400 naming the field (1Backend answers 500).
 */
import { isIP } from "node:net";
import { SLUG_PATTERN } from "../../contracts/user/fields";
import { invalidField } from "./errors";
import { matchPathOf } from "./match";

/** A parsed id: the normalised id and its parts (as in model.ts). */
export interface EdgeKey {
  id: string;
  /** Lower-cased host, with `:port` only when the id names one. */
  host: string;
  /** "" for the bare host, else "/seg/…" without a trailing slash. */
  path: string;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** RFC 3986 pchar: unreserved, sub-delims, ":" and "@", and %HH escapes. */
const SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;
const SLUG = new RegExp(SLUG_PATTERN);
/** The `slug:` target prefix: balanced over the instances of that slug. */
export const SLUG_TARGET = "slug:";

/** Parses and normalises a route or redirect id; throws a 400 naming `field`. */
export function parseEdgeId(field: string, raw: string): EdgeKey {
  const bad = (why: string) => invalidField(field, `${why} (expected host[:port][/path], e.g. x.com or x.com/app)`);
  if (raw === "") throw bad("must not be empty");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw bad("must not name a scheme");
  if (/[\s\x00-\x1f\x7f]/.test(raw)) throw bad("must not contain spaces or control characters");
  if (raw.includes("?") || raw.includes("#")) throw bad("must not contain a query or fragment");
  const slash = raw.indexOf("/");
  const authority = slash === -1 ? raw : raw.slice(0, slash);
  const host = parseHost(authority.toLowerCase(), bad);
  const path = slash === -1 ? "" : parsePath(raw.slice(slash), bad);
  return { id: host + path, host, path };
}

/**
 * A certificate id: a host name, lower-cased (1Backend: "the host which this cert is for"), or a
 * wildcard `*.x.com`; no port, no path. Throws a 400 naming `field`.
 */
export function parseCertId(field: string, raw: string): string {
  const wildcard = raw.startsWith("*.");
  const key = parseEdgeId(field, wildcard ? raw.slice(2) : raw);
  if (key.path !== "" || key.host.includes(":")) throw invalidField(field, "a certificate id is a host name (e.g. x.com or *.x.com), without port or path");
  return (wildcard ? "*." : "") + key.host;
}

function parseHost(authority: string, bad: (why: string) => Error): string {
  if (authority === "") throw bad("the host is empty");
  let name = authority;
  let port = "";
  if (authority.startsWith("[")) {
    const end = authority.indexOf("]");
    if (end === -1 || isIP(authority.slice(1, end)) !== 6) throw bad("the IPv6 address is not valid");
    name = authority.slice(0, end + 1);
    const rest = authority.slice(end + 1);
    if (rest !== "" && !rest.startsWith(":")) throw bad("unexpected text after the IPv6 address");
    port = rest;
  } else {
    const colon = authority.indexOf(":");
    if (colon !== -1) [name, port] = [authority.slice(0, colon), authority.slice(colon)];
    if (name === "") throw bad("the host is empty");
    if (name.length > 253 || !name.split(".").every((label) => LABEL.test(label))) throw bad(`the host ${JSON.stringify(name)} is not a valid host name`);
  }
  if (port !== "") {
    const digits = port.slice(1);
    if (!/^[0-9]{1,5}$/.test(digits) || Number(digits) < 1 || Number(digits) > 65535) throw bad("the port must be 1-65535");
    port = `:${Number(digits)}`;
  }
  return name + port;
}

function parsePath(path: string, bad: (why: string) => Error): string {
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  if (trimmed === "") return "";
  const segments = trimmed.slice(1).split("/");
  for (const segment of segments) {
    if (segment === "") throw bad("the path has an empty segment (//)");
    if (!SEGMENT.test(segment)) throw bad(`the path segment ${JSON.stringify(segment)} has characters that must be percent-encoded`);
    const decoded = segment.replace(/%2e/gi, ".");
    if (decoded === "." || decoded === "..") throw bad("the path must not contain . or .. segments");
  }
  // Stored as it is matched (match.ts: escapes of unreserved characters decoded, others upper-cased),
  // so two spellings of one path are one row.
  return matchPathOf(trimmed);
}

/** A route target: an absolute http(s) URL with a host (no credentials, query or fragment), or `slug:<service>`. */
export function parseRouteTarget(field: string, raw: string | undefined): string {
  if (raw === undefined || raw === "") throw invalidField(field, "a target is required (an http(s) URL or slug:<service>)");
  if (raw.startsWith(SLUG_TARGET)) {
    const slug = raw.slice(SLUG_TARGET.length);
    if (!SLUG.test(slug) || slug.length > 128) throw invalidField(field, `${JSON.stringify(slug)} is not a valid slug (lowercase letters, digits and single hyphens)`);
    return raw;
  }
  const url = absoluteUrl(field, raw, ["http:", "https:"]);
  if (url.search !== "" || raw.includes("?")) throw invalidField(field, "a route target must not have a query (the request's query is forwarded)");
  if (url.hash !== "" || raw.includes("#")) throw invalidField(field, "a route target must not have a fragment");
  return raw;
}

/** A redirect target: an absolute http(s) URL with a host; its query and fragment are kept. */
export function parseRedirectTarget(field: string, raw: string): string {
  if (raw === "") throw invalidField(field, "a target is required (an absolute URL)");
  absoluteUrl(field, raw, ["http:", "https:"]);
  return raw;
}

function absoluteUrl(field: string, raw: string, schemes: string[]): URL {
  if (/[\s\x00-\x1f\x7f]/.test(raw)) throw invalidField(field, "must not contain spaces or control characters");
  const url = URL.parse(raw);
  if (!url || !schemes.includes(url.protocol) || !/^https?:\/\//i.test(raw)) throw invalidField(field, `must be an absolute ${schemes.map((s) => s.slice(0, -1)).join(" or ")} URL`);
  if (url.hostname === "") throw invalidField(field, "the URL has no host");
  if (url.username !== "" || url.password !== "") throw invalidField(field, "the URL must not carry credentials");
  return url;
}

/** The redirect statuses 1Backend allows; 308 when none (or 0, Go's zero value) is given. */
export const REDIRECT_STATUSES = [301, 302, 303, 307, 308] as const;
export type RedirectStatus = (typeof REDIRECT_STATUSES)[number];

export function parseRedirectStatus(field: string, raw: number | undefined): RedirectStatus {
  if (raw === undefined || raw === 0) return 308;
  if (!(REDIRECT_STATUSES as readonly number[]).includes(raw)) throw invalidField(field, `unsupported redirect status code ${raw} (allowed: ${REDIRECT_STATUSES.join(", ")})`);
  return raw as RedirectStatus;
}
