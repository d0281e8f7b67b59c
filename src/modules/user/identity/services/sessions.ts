/**
 * @module Sessions: every issued token is a stored session (contract §3). Minting computes roles
 * and the active organization; login reuses the active session of a device; refresh mints a
 * successor; revocation deletes sessions and updates the in-memory liveness view at once, so a
 * revoked token is refused on the very next request, on every endpoint and on the proxy. In a cluster
 * the store records every deletion in the change feed, and the sessions other nodes delete are
 * forgotten here as they arrive (within a second, typically milliseconds).
 */
import { deviceNotAllowed } from "../../errors";
import type { ApiKeyDevices } from "../api-key-devices";
import type { Clock } from "../../../../lib/clock";
import { newId } from "../../../../lib/ids";
import type * as M from "../../../../contracts/user/models";
import { BoundedMap } from "../../../../lib/bounded-map";
import type { AccessStore } from "../../access/store/access";
import type { AppStore } from "../../orgs/store/apps";
import type { OrgStore } from "../../orgs/store/orgs";
import type { SessionFilter, SessionStore } from "../store/sessions";
import { isExpired, type TokenClaims, type TokenSigner } from "../tokens";
import { ROLE_USER } from "../../access/permissions";
import { tokenView, type SessionRow } from "../wire";

/** Sessions one account may hold at once (devices × apps × recent refreshes); the oldest end beyond it. */
export const MAX_SESSIONS_PER_USER = 100;

/** What the session service needs. */
export interface SessionDeps {
  signer: TokenSigner;
  sessions: SessionStore;
  apps: AppStore;
  access: AccessStore;
  orgs: OrgStore;
  clock: Clock;
  expirationMs: number;
  /** Whether a user's device may still get tokens (API-key devices: only while the key is valid), checked before minting. */
  devices: Pick<ApiKeyDevices, "allows">;
}

/** The identity a token is minted for. */
export interface Subject {
  id: string;
  slug: string;
}

/** Issues, refreshes and revokes sessions, and answers whether a session is live (in memory, kept in step). */
export class SessionService {
  /** Session id → stored? Filled on first sight, flipped to false synchronously on revocation. */
  private readonly live = new BoundedMap<string, boolean>(200_000);
  /** Subscribers told about revocations (the gate drops its caches). */
  private readonly revokeListeners: ((ids: string[]) => void)[] = [];

  constructor(private readonly d: SessionDeps) {
    d.sessions.onDeletedElsewhere((ids) => this.forget(ids));
  }

  /**
   * Whether the session behind a token still exists (not revoked, not pruned, user not deleted).
   * Synchronous and query-free when the in-memory view knows the session (every token seen before);
   * a promise of one lookup the first time, after which the view knows it.
   */
  isLive(id: string): boolean | Promise<boolean> {
    return this.live.get(id) ?? this.lookUp(id);
  }

  onRevoke(listener: (ids: string[]) => void): void {
    this.revokeListeners.push(listener);
  }

  /** Mints and stores a new active session for `subject` in `appId` on `device`. */
  async mint(subject: Subject, appId: string, device: string, organizationId?: string): Promise<SessionRow> {
    const now = this.d.clock.now();
    const roles = [ROLE_USER, ...(await this.d.access.rolesOf(subject.id, appId)).filter((r) => r !== ROLE_USER)];
    const ao = organizationId ?? (await this.d.orgs.activeOrganizationOf(subject.id, appId));
    const id = newId("tok");
    const iat = Math.floor(now / 1000);
    const expiresAt = now + this.d.expirationMs;
    const claims: TokenClaims = { "1ui": subject.id, "1ai": appId, "1sl": subject.slug, "1ro": roles, "1de": device, jti: id, iat, exp: Math.floor(expiresAt / 1000) };
    if (ao) claims["1ao"] = ao;
    const token = await this.d.signer.sign(claims);
    const row: SessionRow = { id, appId, userId: subject.id, device, token, active: true, createdAt: now, expiresAt, lastRefreshedAt: null };
    await this.d.sessions.insert(row);
    // Unless a revocation that ran meanwhile (deleting the new row) has already said otherwise.
    if (this.live.get(id) === undefined) this.live.set(id, true);
    // Bound what one account can store (exchangeToken with ever new device names mints without end):
    // past the cap, its oldest sessions end.
    const excess = await this.d.sessions.beyondNewest(subject.id, MAX_SESSIONS_PER_USER);
    if (excess.length > 0) await this.revokeIds(excess);
    return row;
  }

  /** Login/register/exchange: the device's active session when it is still valid, refreshed when expired, else a new one. */
  async issue(subject: Subject, appId: string, device: string, organizationId?: string): Promise<SessionRow> {
    if (!(await this.d.devices.allows(subject.id, device))) throw deviceNotAllowed();
    const current = await this.d.sessions.findActive(subject.id, appId, device);
    if (current) {
      if (current.expiresAt > this.d.clock.now()) return current;
      return this.successorOf(current, subject);
    }
    return this.mint(subject, appId, device, organizationId);
  }

  /** Refresh of a token whose signature was verified: its session must still be stored and its device allowed. Null when not. */
  async refresh(claims: TokenClaims): Promise<SessionRow | null> {
    const old = await this.d.sessions.findById(claims.jti);
    if (!old) {
      this.live.set(claims.jti, false);
      return null;
    }
    if (!(await this.d.devices.allows(old.userId, old.device))) return null;
    return this.successorOf(old, { id: claims["1ui"], slug: claims["1sl"] });
  }

  /** Deletes sessions (revocation) and forgets them everywhere in memory before returning. */
  async revoke(filter: SessionFilter): Promise<string[]> {
    return this.forget(await this.d.sessions.delete(filter));
  }

  /** Marks sessions of a user inactive after a role change, so the next login re-mints. */
  async inactivate(filter: SessionFilter): Promise<void> {
    await this.d.sessions.inactivate(filter);
  }

  countOf(userId: string): Promise<number> {
    return this.d.sessions.countOf(userId);
  }

  /** The wire Token of a session. */
  async view(row: SessionRow): Promise<M.Token> {
    return tokenView(row, await this.d.apps.findById(row.appId));
  }

  isExpired(claims: TokenClaims): boolean {
    return isExpired(claims, this.d.clock.now());
  }

  private async successorOf(old: SessionRow, subject: Subject): Promise<SessionRow> {
    const next = await this.mint(subject, old.appId, old.device);
    await this.d.sessions.markRefreshed(old.id, this.d.clock.now());
    this.forget((await this.d.sessions.prune(subject.id, old.appId, old.device)).filter((id) => id !== old.id));
    return next;
  }

  /**
   * The stored answer for a session the view has not seen. A revocation that lands while the lookup
   * runs has already set the view (to false), and that answer wins over the row read before it.
   */
  private async lookUp(id: string): Promise<boolean> {
    const stored = await this.d.sessions.isStored(id);
    const decided = this.live.get(id);
    if (decided !== undefined) return decided;
    this.live.set(id, stored);
    return stored;
  }

  private async revokeIds(ids: string[]): Promise<void> {
    await this.d.sessions.deleteIds(ids);
    this.forget(ids);
  }

  private forget(ids: string[]): string[] {
    for (const id of ids) this.live.set(id, false);
    if (ids.length > 0) for (const listener of this.revokeListeners) listener(ids);
    return ids;
  }
}
