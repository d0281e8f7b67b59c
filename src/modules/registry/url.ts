/**
 * @module Instance URL normalisation (contract §4). One canonical form, so "the same URL" means the
 * same string: lowercase scheme and host, explicit port, path without trailing slash, no credentials,
 * query or fragment. Only http and https. Every rejection is a 400 naming the offending field.
 */
import { isIP } from "node:net";
import { urlHost } from "../../lib/ip";
import { invalidUrl } from "./errors";
import type { RegisterInstanceRequest } from "../../contracts/registry/instances";

/** The parts of a normalised instance URL. `url` is `scheme://host:port` + `path`. */
export interface NormalizedUrl {
  url: string;
  scheme: "http" | "https";
  /** Hostname as in the URL (lowercase; IPv6 in brackets). */
  host: string;
  /** The IP literal, when the host is one or the request named one. */
  ip?: string;
  port: number;
  /** Path prefix without trailing slash; `""` for none. */
  path: string;
}

const DEFAULT_PORT = { http: 80, https: 443 } as const;
// Control characters and any whitespace: the WHATWG parser would silently strip or encode them.
const UNSAFE = /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]/;

/** Builds and normalises the instance URL from `url` or from its parts; throws 400 naming the field. */
export function normalizeInstanceUrl(req: RegisterInstanceRequest): NormalizedUrl {
  const ip = req.ip ? checkIp(req.ip) : undefined;
  if (req.url !== undefined && req.url !== "") {
    const n = parseUrl(req.url, "url");
    checkPartsAgree(req, n);
    return ip ? { ...n, ip } : n;
  }
  const host = req.host || (ip ? urlHost(ip) : "");
  if (!host) throw invalidUrl("url", "give url, or host or ip with scheme, port and path");
  const scheme = (req.scheme ?? "http").toLowerCase();
  if (scheme !== "http" && scheme !== "https") throw invalidUrl("scheme", "must be http or https");
  if (UNSAFE.test(host) || /[/?#@\\]/.test(host)) throw invalidUrl("host", "not a valid host name");
  const path = req.path ?? "";
  if (path && !/^\/[^\s?#\\]*$/.test(path)) throw invalidUrl("path", "must start with / and hold no spaces, ? or #");
  const port = req.port ?? DEFAULT_PORT[scheme];
  const n = parseUrl(`${scheme}://${host}:${port}${path}`, req.host ? "host" : "ip");
  return ip ? { ...n, ip } : n;
}

function parseUrl(raw: string, field: string): NormalizedUrl {
  if (UNSAFE.test(raw)) throw invalidUrl(field, "must not contain spaces or control characters");
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== "http" && scheme !== "https") throw invalidUrl(field, "scheme must be http or https");
  if (!/^[a-zA-Z]+:\/\/[^/?#]/.test(raw)) throw invalidUrl(field, "must be absolute, like http://host:port");
  if (raw.includes("\\")) throw invalidUrl(field, "must not contain backslashes");
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw invalidUrl(field, "not a valid URL (check host and port 1-65535)");
  }
  if (u.username || u.password || raw.slice(0, raw.indexOf("/", scheme.length + 3) >>> 0).includes("@")) {
    throw invalidUrl(field, "must not contain credentials");
  }
  if (!u.hostname) throw invalidUrl(field, "has no host");
  if (u.search || u.hash || raw.includes("?") || raw.includes("#")) throw invalidUrl(field, "must not have a query or fragment");
  if (u.port === "0") throw invalidUrl(field, "port must be 1-65535");
  const port = u.port ? Number(u.port) : DEFAULT_PORT[scheme];
  const path = u.pathname.replace(/\/+$/, "");
  const bare = u.hostname.replace(/^\[|\]$/g, "");
  const n: NormalizedUrl = { url: `${scheme}://${u.hostname}:${port}${path}`, scheme, host: u.hostname, port, path };
  if (isIP(bare)) n.ip = bare;
  return n;
}

/** With `url` given, parts given alongside must describe the same URL (else which one is meant?). */
function checkPartsAgree(req: RegisterInstanceRequest, n: NormalizedUrl): void {
  if (req.scheme && req.scheme.toLowerCase() !== n.scheme) throw invalidUrl("scheme", `does not match url (${n.scheme})`);
  if (req.host && req.host.toLowerCase() !== n.host) throw invalidUrl("host", `does not match url (${n.host})`);
  if (req.port && req.port !== n.port) throw invalidUrl("port", `does not match url (${n.port})`);
  if (req.path && req.path.replace(/\/+$/, "") !== n.path) throw invalidUrl("path", `does not match url (${n.path || "none"})`);
  if (req.ip && n.ip && req.ip !== n.ip) throw invalidUrl("ip", `does not match url (${n.ip})`);
}

function checkIp(ip: string): string {
  if (!isIP(ip)) throw invalidUrl("ip", "not an IPv4 or IPv6 address");
  return ip;
}
