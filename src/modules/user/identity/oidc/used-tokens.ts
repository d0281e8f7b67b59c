/**
 * @module The ID tokens contactAuthLogin accepted: each signs in once. A native app's ID token is a
 * bearer credential until its `exp`, so one that leaked (a log, a proxy, a second app) would otherwise
 * sign in again and again. The first use writes the token's key into `user_oidc_tokens` with one
 * insert-or-nothing against its unique id (the mechanism of the OIDC states, states.ts `useOnce`), so
 * every later use is refused on whichever node it reaches, PostgreSQL or one SQLite node alike. The row
 * lives as long as the provider's token can still pass verification (its `exp` plus the clock skew
 * verification tolerates), then it is swept by the next use.
 */
import { BaseStore } from "../../base-store";
import type { IdClaims } from "./provider";
import { SKEW_SECONDS } from "./provider";
import { sha256, useOnce } from "./states";

/**
 * The key of a token: its issuer and `jti` when the provider sends one (each token has its own, so
 * the same token in another serialisation is still the same), else the whole token. Hashed, so the
 * table never holds anything that could be presented again.
 */
export function idTokenKey(idToken: string, claims: IdClaims): string {
  return typeof claims.jti === "string" && claims.jti !== "" ? sha256(`jti\n${claims.iss ?? ""}\n${claims.jti}`) : sha256(`token\n${idToken}`);
}

/** The used ID tokens (`user_oidc_tokens`). */
export class UsedIdTokens extends BaseStore {
  /** True the first time `idToken` (verified: `claims` are its own) is used, false for every later use on any node. */
  use(idToken: string, claims: IdClaims, now: number): Promise<boolean> {
    // exp is required by verification; a token without one would be refused before it gets here.
    const expiresAt = ((claims.exp ?? 0) + SKEW_SECONDS) * 1000;
    return useOnce(this.db, this.t.userOidcTokens, idTokenKey(idToken, claims), expiresAt, now);
  }
}
