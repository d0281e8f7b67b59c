/**
 * @module How a token travels (contract §5): the `Authorization` header value. One parser for the server
 * (gate, logout, API-key exchange) and the SDK's verifier, so they cannot disagree on what is a token.
 */

/**
 * `Bearer <jwt>` (the scheme in any case, RFC 9110 §11.1) or a bare `<jwt>` (the JS client sends it
 * bare) → the JWT; null when absent, empty or another scheme.
 */
export function tokenFromHeader(authorization: string | null | undefined): string | null {
  if (!authorization) return null;
  const value = authorization.trim();
  const space = value.indexOf(" ");
  if (space === -1) return value.toLowerCase() === "bearer" ? null : value || null;
  if (value.slice(0, space).toLowerCase() !== "bearer") return null;
  return value.slice(space + 1).trim() || null;
}
