/**
 * @module The one interface between the User Svc and every other module: who is calling (`Caller`) and
 * how to find out (`AuthGate`). Plain types, so services and stores can name a caller without Elysia;
 * `http/auth-guard.ts` turns a gate into the route option `auth`.
 */

/** Who is calling, from a verified token of an active session. */
export interface Caller {
  userId: string;
  slug: string;
  /** Roles from the token (`user-svc:user` first). */
  roles: string[];
  appId: string;
  device: string;
  /** The token's `jti` (its session). */
  tokenId: string;
  /** The active organization, when the token names one. */
  organizationId?: string;
  /** The token that was verified: the presented one, or its refreshed replacement. */
  token: string;
  isAdmin: boolean;
  /** When that token expires (epoch ms), for what outlives one request (event streams end then). */
  expiresAt?: number;
}

/** What the rest of the server needs from the User Svc to authenticate callers. */
export interface AuthGate {
  /**
   * Resolves the caller from an `Authorization` header value (`Bearer <jwt>` or a bare `<jwt>`).
   * Throws a 401 AppError when it is missing, malformed, signed by another key, revoked, or expired
   * while refresh is off. An expired token of an active session is refreshed transparently.
   */
  authenticate(authorization: string | null | undefined): Promise<Caller>;
  /** Whether the caller holds `permission` through a permit for its slug or one of its roles. */
  hasPermission(caller: Caller, permission: string): boolean | Promise<boolean>;
  /** Saves default permits at start (idempotent), for modules that own permissions. */
  grantDefaultPermits(permits: DefaultPermit[]): void | Promise<void>;
  /**
   * The `Authorization` value the proxy forwards upstream: our valid token unchanged, our expired
   * token of an active session replaced by a fresh one, anything not ours (another scheme, a foreign
   * JWT) unchanged, `null` when absent. Throws 401 for our token whose session was revoked.
   */
  authorizationForUpstream(authorization: string | null): Promise<string | null>;
  /**
   * Calls `listener` with the session ids (`Caller.tokenId`) of every revocation, this node's or
   * another's, as it takes effect: what outlives one request (event streams) ends with it. Optional
   * only so test doubles need not.
   */
  onRevoke?(listener: (sessionIds: readonly string[]) => void): void;
}

/** A permission granted by default to roles and/or slugs, in every app. */
export interface DefaultPermit {
  permission: string;
  roles?: string[];
  slugs?: string[];
}
