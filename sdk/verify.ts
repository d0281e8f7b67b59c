/**
 * @module Offline verification of incoming tokens: the server's RS256 public key is fetched once
 * (GET /user-svc/public-key) and cached; each token is then checked locally, with no request.
 */
import { Check } from "@sinclair/typebox/value";
import { errors, importSPKI, jwtVerify } from "jose";
import { tokenFromHeader as parseAuthorization } from "../src/contracts/authorization.js";
import { TokenClaims } from "../src/contracts/user/token-claims.js";
import { ErrorCodes, InvalidTokenError, MISSING_TOKEN_MESSAGE } from "./errors.js";
import { ApiClient } from "./http.js";
import { withRetry } from "./retry.js";

/**
 * Who sent a request, read from a verified token (1Backend claims `1ui`, `1sl`, `1ro`, `1ai`, `1de`).
 *
 * @example
 * const caller: Caller = await verifier.verify(request.headers.get("authorization"));
 * const isAdmin = caller.roles.includes("user-svc:admin");
 */
export interface Caller {
  userId: string;
  slug: string;
  roles: string[];
  appId?: string;
  device?: string;
  /** The raw token, to forward or to ask the server about permissions. */
  token: string;
}

/** How long a failed-signature refetch of the key is suppressed (a rotated key is rare). */
const KEY_REFETCH_MS = 30_000;

/**
 * Verifies tokens issued by one 1Backend server. Create one per process and reuse it.
 *
 * @example
 * const verifier = new TokenVerifier("http://127.0.0.1:11337");
 * const caller = await verifier.verify(request.headers.get("authorization"));
 * console.log(caller.slug, caller.roles.includes("user-svc:admin"));
 */
export class TokenVerifier {
  private readonly api: ApiClient;
  private key: Promise<CryptoKey> | undefined;
  private keyFetchedAt = 0;

  constructor(serverUrl: string) {
    this.api = new ApiClient(serverUrl);
  }

  /**
   * Verifies a token given as `Bearer <jwt>` or a bare `<jwt>` and returns the caller.
   * Throws {@link InvalidTokenError}. Revocation is not visible offline: use `hasPermission` for that.
   */
  async verify(authorization: string | null | undefined): Promise<Caller> {
    const token = tokenFromHeader(authorization);
    if (!token) throw new InvalidTokenError(MISSING_TOKEN_MESSAGE, ErrorCodes.missingToken);
    try {
      return toCaller(await this.check(token, await this.publicKey()), token);
    } catch (err) {
      if (!(err instanceof errors.JWSSignatureVerificationFailed) || Date.now() - this.keyFetchedAt < KEY_REFETCH_MS) {
        throw asInvalid(err);
      }
      // The server may have a new key pair (fresh database): fetch it once and try again.
      this.key = undefined;
      try {
        return toCaller(await this.check(token, await this.publicKey()), token);
      } catch (again) {
        throw asInvalid(again);
      }
    }
  }

  /** The cached public key, fetched (with retries) on first use. */
  publicKey(): Promise<CryptoKey> {
    this.key ??= withRetry(() => this.api.call<{ publicKey: string }>("GET", "/user-svc/public-key"), { timeoutMs: 15_000 })
      .then(({ publicKey }) => {
        this.keyFetchedAt = Date.now();
        return importSPKI(publicKey, "RS256");
      })
      .catch((err) => {
        this.key = undefined;
        throw err;
      });
    return this.key;
  }

  private async check(token: string, key: CryptoKey) {
    const { payload } = await jwtVerify(token, key, { algorithms: ["RS256"] });
    return payload;
  }
}

/**
 * The token of an `Authorization` header value: `Bearer <jwt>` or a bare `<jwt>` (what the official JS
 * client sends); `undefined` when there is none or the header names another scheme (`Basic …`). The
 * server's own parser, so a service and the server never disagree on what is a token.
 *
 * @example
 * tokenFromHeader("Bearer eyJ...") // "eyJ..."
 */
export function tokenFromHeader(authorization: string | null | undefined): string | undefined {
  return parseAuthorization(authorization) ?? undefined;
}

function toCaller(payload: unknown, token: string): Caller {
  if (!Check(TokenClaims, payload)) throw new InvalidTokenError("the token lacks user claims");
  return { userId: payload["1ui"], slug: payload["1sl"], roles: payload["1ro"], appId: payload["1ai"], device: payload["1de"], token };
}

function asInvalid(err: unknown): unknown {
  if (err instanceof InvalidTokenError) return err;
  if (err instanceof errors.JWTExpired) return new InvalidTokenError("the token has expired");
  if (err instanceof errors.JOSEError) return new InvalidTokenError();
  return err; // network failure fetching the key: not the caller's fault
}
