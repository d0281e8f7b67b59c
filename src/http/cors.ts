/**
 * @module Permissive CORS on every built-in response (contract §2), the same header set 1Backend sends.
 * Preflight `OPTIONS` is answered before authentication.
 */

const ALLOW_HEADERS = "Accept, Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, Authorization, X-Content-Encrypted";
const ALLOW_METHODS = "POST, GET, OPTIONS, PUT, DELETE";

/** Adds the CORS headers for a request's `Origin` to `headers` (in place). */
export function applyCors(headers: Headers, origin: string | null): void {
  headers.set("access-control-allow-origin", origin || "*");
  headers.set("access-control-allow-methods", ALLOW_METHODS);
  headers.set("access-control-allow-headers", ALLOW_HEADERS);
  headers.set("access-control-allow-credentials", "false");
  headers.append("vary", "Origin");
}

/** The answer to a preflight `OPTIONS` request. */
export function preflightResponse(origin: string | null): Response {
  const headers = new Headers({ "access-control-max-age": "600" });
  applyCors(headers, origin);
  return new Response(null, { status: 204, headers });
}
