/**
 * @module API keys: opaque long-lived bearers (`obk_<prefix>_<secret>`) that a service or script
 * exchanges for a normal short-lived token. Only a SHA-256 of the key is stored: the key carries
 * ~190 bits of randomness, so a slow password hash adds nothing. Revoking a key also revokes the
 * sessions minted from it.
 */
import type { Caller } from "../../../auth-gate";
import { permissionDenied } from "../../../../http/errors";
import { apiKeyNotFound, filterMissing, invalidApiKey, invalidTime, membershipNotFound, userNotFound, appNotFound } from "../../errors";
import type { Clock } from "../../../../lib/clock";
import { newId, randomBase62 } from "../../../../lib/ids";
import type * as M from "../../../../contracts/user/models";
import type { CreateApiKeyBody, ListApiKeysBody, RevokeApiKeysBody } from "../../../../contracts/user/requests";
import type { ApiKeyStore } from "../store/api-keys";
import type { AppStore } from "../../orgs/store/apps";
import type { OrgStore } from "../../orgs/store/orgs";
import type { UserStore } from "../store/users";
import { tokenFromHeader } from "../../../../contracts/authorization";
import { apiKeyView, type ApiKeyRow } from "../wire";
import type { SessionService } from "./sessions";
import { firstMissingId, parseTime } from "../../rules";
import { deviceOf, isUsable } from "../api-key-devices";

/** What the API key service needs. */
export interface ApiKeyDeps {
  keys: ApiKeyStore;
  apps: AppStore;
  users: UserStore;
  orgs: OrgStore;
  sessions: SessionService;
  clock: Clock;
}

const sha256 = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex");
/** Creates, lists, exchanges and revokes API keys (api-key-devices.ts guards the sessions minted from them). */
export class ApiKeyService {
  constructor(private readonly d: ApiKeyDeps) {}

  async create(caller: Caller, body: CreateApiKeyBody): Promise<{ apiKey: M.ApiKeyView; key: string }> {
    const userId = this.targetUser(caller, body.userId);
    if (!(await this.d.users.findById(userId))) throw userNotFound(userId);
    const appId = await this.appIdOf(caller, body.appId, body.appHost);
    const orgId = body.activeOrganizationId || null;
    if (orgId && (await this.d.orgs.findMembership(orgId, userId))?.status !== "accepted") {
      throw membershipNotFound(orgId, userId);
    }
    const now = this.d.clock.now();
    const expiresAt = parseTime(body.expiresAt, "expiresAt") ?? null;
    if (expiresAt !== null && expiresAt <= now) throw invalidTime("expiresAt", "must be in the future");
    const prefix = `obk_${randomBase62(8)}`;
    const key = `${prefix}_${randomBase62(32)}`;
    const row: ApiKeyRow = {
      id: newId("apik"),
      userId,
      appId,
      name: body.name ?? "",
      prefix,
      keyHash: sha256(key),
      activeOrganizationId: orgId,
      createdAt: now,
      updatedAt: now,
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.d.keys.insert(row);
    return { apiKey: apiKeyView(row), key };
  }

  async list(caller: Caller, body: ListApiKeysBody): Promise<M.ApiKeyView[]> {
    const userId = this.targetUser(caller, body.userId);
    const ids = [...(body.id ? [body.id] : []), ...(body.ids ?? [])];
    const appId = body.appId || (body.appHost ? ((await this.d.apps.findByHost(body.appHost))?.id ?? "-") : undefined);
    return (await this.d.keys.list({ userId, ids: ids.length > 0 ? ids : undefined, appId, includeRevoked: body.includeRevoked === true })).map(apiKeyView);
  }

  /** Exchanges a key (the Authorization value, with or without `Bearer `) for a normal token. */
  async exchange(authorization: string | undefined): Promise<M.Token> {
    const key = tokenFromHeader(authorization);
    const row = key ? await this.d.keys.findByHash(sha256(key)) : undefined;
    const now = this.d.clock.now();
    if (!row || !isUsable(row, now)) throw invalidApiKey();
    const user = await this.d.users.findById(row.userId);
    if (!user) throw invalidApiKey();
    await this.d.keys.markUsed(row.id, now);
    const device = deviceOf(row.id);
    return this.d.sessions.view(await this.d.sessions.issue(user, row.appId, device, row.activeOrganizationId ?? undefined));
  }

  async revoke(caller: Caller, body: RevokeApiKeysBody): Promise<void> {
    const ids = [...(body.id ? [body.id] : []), ...(body.ids ?? [])];
    if (ids.length === 0 && !body.userId) throw filterMissing("id, ids or userId");
    let rows: ApiKeyRow[];
    if (ids.length > 0) {
      rows = await this.d.keys.findByIds(ids);
      const missing = firstMissingId(ids, rows);
      if (missing) throw apiKeyNotFound(missing);
      if (!caller.isAdmin && rows.some((r) => r.userId !== caller.userId)) throw permissionDenied("only admins can revoke other users' keys");
    } else {
      rows = await this.d.keys.list({ userId: this.targetUser(caller, body.userId), includeRevoked: false });
    }
    await this.d.keys.revoke(rows.map((r) => r.id), this.d.clock.now());
    for (const r of rows) await this.d.sessions.revoke({ userId: r.userId, device: deviceOf(r.id) });
  }

  private targetUser(caller: Caller, userId: string | undefined): string {
    if (!userId || userId === caller.userId) return caller.userId;
    if (!caller.isAdmin) throw permissionDenied("only admins can manage other users' API keys");
    return userId;
  }

  private async appIdOf(caller: Caller, appId: string | undefined, appHost: string | undefined): Promise<string> {
    if (appId) {
      if (!(await this.d.apps.findById(appId))) throw appNotFound(appId);
      return appId;
    }
    return appHost ? (await this.d.apps.getOrCreate(appHost)).id : caller.appId;
  }
}
