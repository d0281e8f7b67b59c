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

/**
 * The codes of the answers about the token itself, shared by the server's gate and guard and the SDK's
 * verifier, so a client sees the same 401 or 403 whether the server or a service refused it.
 */
export const AuthCodes = {
  /** 401: no token in `Authorization`. */
  missingToken: "user.missing_token",
  /** 401: malformed, expired (refresh off), signed by another key, or of a revoked session. */
  invalidToken: "user.invalid_token",
  /** 403: authenticated, but without the permission (or not the owner of what it names). */
  permissionDenied: "auth.permission_denied",
} as const;

/** The message of a missing token, worded once. */
export const MISSING_TOKEN_MESSAGE = "a token is required: Authorization: Bearer <token>";
