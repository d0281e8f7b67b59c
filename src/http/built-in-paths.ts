/**
 * @module The first path segments the server serves itself (contract §2 routing), in one list: the
 * request handler sends them to the app and everything else to the proxy, and the User Svc reserves
 * them as slugs, since a service registered under one of them could never be reached.
 */

/**
 * First path segments served by the server itself; everything else is a slug for the proxy. `""` is
 * the root path; `console` is served later (until then it answers the app's 404, never a proxy).
 */
export const BUILT_IN_SEGMENTS: readonly string[] = [
  "",
  "user-svc",
  "registry-svc",
  "proxy-svc",
  "swagger",
  "openapi",
  "openapi.json",
  "health",
  "healthz",
  "livez",
  "readyz",
  "metrics",
  "console",
];
