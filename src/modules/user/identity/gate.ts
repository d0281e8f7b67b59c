/**
 * @module The AuthGate: resolves callers on every authenticated request, built-in or proxied.
 * Steady state is allocation-light and query-free: verified tokens are cached (token → claims and
 * Caller; the RSA check runs once per token), session liveness is an in-memory view that revocation
 * updates synchronously, and permits are an in-memory index. An expired token of a live session is
 * refreshed once and its successor reused while it has life left (1Backend's transparent refresh).
 */
import type { AuthGate, Caller, DefaultPermit } from "../../auth-gate";
import type { Clock } from "../../../lib/clock";
import { invalidToken, missingToken, tokenExpired, tokenRevoked } from "../errors";
import { BoundedMap } from "../../../lib/bounded-map";
import type { PermitIndex } from "../access/permit-index";
import type { UserMetrics } from "../../observability/metrics";
import { ROLE_ADMIN } from "../access/permissions";
import type { SessionService } from "./services/sessions";
import { type TokenClaims, type TokenSigner } from "./tokens";
import { tokenFromHeader } from "../../../contracts/authorization";

/** What the gate is built from (one object: the order of six positional arguments was easy to get wrong). */
export interface UserGateOptions {
  signer: TokenSigner;
  sessions: SessionService;
  permits: PermitIndex;
  /** Where default permits of other modules are saved (AccessService). */
  access: { grantDefaults(permits: DefaultPermit[]): void | Promise<void> };
  /** OB_TOKEN_AUTO_REFRESH: an expired token of a live session is refreshed instead of refused. */
  autoRefresh: boolean;
  clock: Clock;
  /** Token checks by result, for GET /metrics (an array slot per check). */
  checks?: UserMetrics["tokenChecks"];
}

interface Verified {
  claims: TokenClaims;
  caller: Caller;
}

/** A successor is reused for an expired token while it has at least this much life left. */
const REUSE_MARGIN_MS = 5_000;

/** The User Svc's {@link AuthGate}: verifies, caches and refreshes tokens; answers permission checks from memory. */
export class UserGate implements AuthGate {
  private readonly verified = new BoundedMap<string, Verified>(20_000);
  /** Tokens that failed the signature check (foreign JWTs forwarded through the proxy, garbage): checked once. */
  private readonly rejected = new BoundedMap<string, true>(20_000);
  /** Expired token's session id → its refreshed successor. */
  private readonly successors = new BoundedMap<string, Verified & { expiresAtMs: number }>(20_000);
  private readonly refreshing = new Map<string, Promise<Verified | null>>();

  constructor(private readonly d: UserGateOptions) {
    d.sessions.onRevoke((ids) => {
      for (const id of ids) this.successors.delete(id);
    });
  }

  /** Elysia dedupes plugins by `JSON.stringify(seed)`; the guard's seed is this gate. */
  toJSON(): string {
    return "user-gate";
  }

  async authenticate(authorization: string | null | undefined): Promise<Caller> {
    const token = tokenFromHeader(authorization);
    if (!token) throw missingToken();
    const found = await this.verify(token);
    if (!found) throw invalidToken();
    return (await this.current(found)).caller;
  }

  onRevoke(listener: (sessionIds: readonly string[]) => void): void {
    this.d.sessions.onRevoke(listener);
  }

  hasPermission(caller: Caller, permission: string): boolean {
    return this.d.permits.allows(caller, permission);
  }

  async grantDefaultPermits(permits: DefaultPermit[]): Promise<void> {
    await this.d.access.grantDefaults(permits);
  }

  async authorizationForUpstream(authorization: string | null): Promise<string | null> {
    if (authorization === null) return null;
    const token = tokenFromHeader(authorization);
    if (!token) return authorization;
    const found = await this.verify(token);
    if (!found) return authorization;
    const current = await this.current(found, false);
    return current === found ? authorization : `Bearer ${current.caller.token}`;
  }

  /** Signature-verified claims of a token (expiry not judged), cached; null when not ours or malformed. */
  async verify(token: string): Promise<Verified | null> {
    const hit = this.verified.get(token);
    if (hit) {
      this.d.checks?.inc("cache_hit");
      return hit;
    }
    if (token.length > 8192 || this.rejected.get(token)) {
      this.d.checks?.inc("invalid");
      return null;
    }
    const claims = await this.d.signer.verify(token);
    if (!claims) {
      this.d.checks?.inc("invalid");
      this.rejected.set(token, true);
      return null;
    }
    this.d.checks?.inc("verified");
    const entry = { claims, caller: callerOf(claims, token) };
    this.verified.set(token, entry);
    return entry;
  }

  /**
   * The usable identity of a verified token: itself when live and unexpired, its refreshed successor
   * when expired (and refresh is on); 401 when its session was revoked. With `strictExpiry` false an
   * expired token with refresh off is passed through unchanged (the proxy lets the upstream decide).
   */
  private async current(found: Verified, strictExpiry = true): Promise<Verified> {
    const { claims } = found;
    // The view answers at once for every session seen before (no query, no await); a first sight looks it up.
    let live = this.d.sessions.isLive(claims.jti);
    if (typeof live !== "boolean") live = await live;
    if (!live) throw tokenRevoked();
    if (claims.exp * 1000 > this.d.clock.now()) return found;
    if (!this.d.autoRefresh) {
      if (strictExpiry) throw tokenExpired();
      return found;
    }
    const successor = await this.successorOf(claims);
    if (!successor) throw tokenRevoked();
    return successor;
  }

  private async successorOf(claims: TokenClaims): Promise<Verified | null> {
    const known = this.successors.get(claims.jti);
    if (known && known.expiresAtMs - this.d.clock.now() > REUSE_MARGIN_MS && (await this.d.sessions.isLive(known.claims.jti))) return known;
    let pending = this.refreshing.get(claims.jti);
    if (!pending) {
      pending = this.refreshOnce(claims).finally(() => this.refreshing.delete(claims.jti));
      this.refreshing.set(claims.jti, pending);
    }
    return pending;
  }

  private async refreshOnce(claims: TokenClaims): Promise<Verified | null> {
    const row = await this.d.sessions.refresh(claims);
    if (!row) return null;
    const entry = await this.verify(row.token);
    if (!entry) return null;
    this.successors.set(claims.jti, { ...entry, expiresAtMs: entry.claims.exp * 1000 });
    return entry;
  }
}

function callerOf(claims: TokenClaims, token: string): Caller {
  const roles = claims["1ro"];
  return {
    userId: claims["1ui"],
    slug: claims["1sl"],
    roles,
    appId: claims["1ai"],
    device: claims["1de"],
    tokenId: claims.jti,
    organizationId: claims["1ao"],
    token,
    isAdmin: roles.includes(ROLE_ADMIN),
    expiresAt: claims.exp * 1000,
  };
}
