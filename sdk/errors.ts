/**
 * @module The errors a service answers its own callers with, in one place. Their codes and messages are
 * the server's own (src/contracts/authorization.ts), so a client sees the same 401 or 403 whether the
 * server or the service refused it.
 */
import { AuthCodes, MISSING_TOKEN_MESSAGE as SERVER_MISSING_TOKEN_MESSAGE } from "../src/contracts/authorization.js";

/**
 * The stable codes of {@link InvalidTokenError} and {@link ForbiddenError}: the server's own
 * (`missingToken` 401, `invalidToken` 401, `permissionDenied` 403).
 */
export const ErrorCodes = AuthCodes;

/** Message of a missing token, worded as the server words it. */
export const MISSING_TOKEN_MESSAGE = SERVER_MISSING_TOKEN_MESSAGE;

/**
 * The token is missing, malformed, expired or not signed by the server: answer 401 with `code`.
 *
 * @example
 * try { await verifier.verify(header) } catch (e) { if (e instanceof InvalidTokenError) return Response.json({ error: e.message, code: e.code }, { status: 401 }) }
 */
export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
  readonly status = 401;
  constructor(
    message = "the token is not valid",
    readonly code: typeof ErrorCodes.missingToken | typeof ErrorCodes.invalidToken = ErrorCodes.invalidToken,
  ) {
    super(message);
  }
}

/**
 * The caller lacks the permission the route requires: answer 403 with `code`.
 *
 * @example
 * await auth.authenticate(request, "my-svc:pet:edit").catch((e) => { if (e instanceof ForbiddenError) console.warn(e.permission); throw e });
 */
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
  readonly status = 403;
  readonly code = ErrorCodes.permissionDenied;
  constructor(readonly permission: string) {
    super(`permission ${permission} is required`);
  }
}
