/**
 * @module The 401s the real gate (modules/user's UserGate) answers, for the test gates of the registry
 * and proxy suites to throw the same: a fake that invents its own codes lets a test pass on a code the
 * server never answers.
 */
import { AuthCodes, MISSING_TOKEN_MESSAGE, tokenFromHeader } from "../../src/contracts/authorization";
import { unauthorized } from "../../src/http/errors";

/** For an `Authorization` value the gate cannot resolve: no token is `missing_token`, any other `invalid_token`. */
export function unknownTokenRefusal(authorization: string | null | undefined) {
  return tokenFromHeader(authorization) === null
    ? unauthorized(AuthCodes.missingToken, MISSING_TOKEN_MESSAGE)
    : unauthorized(AuthCodes.invalidToken, "the token is not valid");
}

/** For a token of a session that was revoked. */
export const revokedTokenRefusal = () => unauthorized("user.token_revoked", "the token was revoked");
