/**
 * @module The request target, read once per request from `request.url` (contract §2 "routing"): the
 * index where its path starts decides built-in vs proxy and the route; requests whose target or
 * framing headers are ambiguous are refused with a JSON 400 before anything routes them.
 *
 * What Bun 1.4.5 hands over (measured with raw sockets): `request.url` is `http://<Host><path>` when
 * the Host value is a plausible authority — never holding "/", "?" or "#" — and the bare origin-form
 * path (`/p?q`) when Host is empty, absent (HTTP/1.0) or holds other characters ("/", "?", "@", " ",
 * non-ASCII). Repeated Host lines arrive joined with ", " (the url uses the first); identical repeated
 * Content-Length lines arrive as "2, 2". An authority-form target (`CONNECT host:443`) arrives as
 * `host:443`. Bun's own parser answers, before any handler and with an empty body that cannot be
 * shaped: asterisk-form (`OPTIONS *`), a missing Host on HTTP/1.1, differing Content-Length lines,
 * Content-Length with Transfer-Encoding, malformed request lines (400) and oversized heads (431).
 * An absolute-form target (`GET http://a/p`) cannot be told apart: Bun rewrites it into
 * `http://<Host>/p`, so it is served by its path like origin-form (RFC 9112 §3.2.2 has servers accept
 * it) and its authority never routes.
 */
import { duplicateContentLength, duplicateHost, invalidTarget, type AppError } from "./errors";

/** The fixed origin built-in handlers see in `request.url`: the client's Host never reaches them there. */
export const CANONICAL_ORIGIN = "http://localhost";

/**
 * Why a request cannot be routed, or `undefined` when it can. `pathStart` is where the path starts in
 * `request.url` (-1: the target is not origin-form). Two header reads per request, no allocation
 * beyond the Host string Bun builds for the read.
 */
export function refusalOf(request: Request, pathStart: number): AppError | undefined {
  // RFC 9112 §3.2.3: CONNECT takes an authority-form target; this server is not a tunnel.
  if (pathStart < 0 || request.method === "CONNECT") return invalidTarget();
  const headers = request.headers;
  // RFC 9112 §3.2: more than one Host line is a 400. Bun joins them with ", "; no DNS name or IP
  // literal holds a comma, so a comma means several lines (or a list, which is just as invalid).
  const host = headers.get("host");
  if (host !== null && host.includes(",")) return duplicateHost();
  // RFC 9110 §8.6 lets a recipient collapse identical repeated values; we refuse them (request
  // smuggling hides in such ambiguity, and the proxy would forward "2, 2" upstream).
  const length = headers.get("content-length");
  if (length !== null && length.includes(",")) return duplicateContentLength();
  return undefined;
}

/**
 * Makes `request.url` read `CANONICAL_ORIGIN` + the path and query found at `pathStart`, on this
 * Request object only (the same object, so `server.requestIP(request)` and the body still work).
 * Elysia takes the path from `request.url` itself, assuming an authority of at least 4 characters
 * (`url.indexOf("/", 11)` in its compiled handler), and `new URL(request.url)` throws on a relative
 * url or an authority like "[::1" or ":80": with one canonical url every reader sees the path the
 * dispatcher chose. Built-in requests only; the proxy reads the path at `pathStart` directly.
 */
export function canonicalizeUrl(request: Request, url: string, pathStart: number): void {
  if (url.startsWith(CANONICAL_ORIGIN) && url.charCodeAt(CANONICAL_ORIGIN.length) === 47 /* / */) return;
  Object.defineProperty(request, "url", { value: CANONICAL_ORIGIN + url.slice(pathStart), enumerable: true });
}

/** The path of `url` from `pathStart` up to its query, for log lines. */
export function pathAt(url: string, pathStart: number): string {
  if (pathStart < 0) return url;
  const query = url.indexOf("?", pathStart);
  return query < 0 ? url.slice(pathStart) : url.slice(pathStart, query);
}
