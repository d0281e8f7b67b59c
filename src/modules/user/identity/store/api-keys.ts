/** @module API keys (only their SHA-256 is stored). */
import { and, asc, eq, inArray, isNull, type SQL } from "drizzle-orm";
import { BaseStore } from "../../base-store";
import type { ApiKeyRow } from "../wire";

/** Queries on `user_api_keys`. */
export class ApiKeyStore extends BaseStore {
  async insert(row: ApiKeyRow): Promise<void> {
    await this.db.insert(this.t.userApiKeys).values(row);
  }

  async findByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
    const k = this.t.userApiKeys;
    return (await this.db.select().from(k).where(eq(k.keyHash, keyHash)).limit(1))[0];
  }

  async findByIds(ids: string[]): Promise<ApiKeyRow[]> {
    const k = this.t.userApiKeys;
    return ids.length === 0 ? [] : this.db.select().from(k).where(inArray(k.id, ids));
  }

  async list(filter: { userId?: string; ids?: string[]; appId?: string; includeRevoked: boolean }): Promise<ApiKeyRow[]> {
    const k = this.t.userApiKeys;
    const parts: SQL[] = [];
    if (filter.userId) parts.push(eq(k.userId, filter.userId));
    if (filter.ids) parts.push(inArray(k.id, filter.ids));
    if (filter.appId) parts.push(eq(k.appId, filter.appId));
    if (!filter.includeRevoked) parts.push(isNull(k.revokedAt));
    return this.db.select().from(k).where(and(...parts)).orderBy(asc(k.createdAt), asc(k.id));
  }

  async markUsed(id: string, now: number): Promise<void> {
    const k = this.t.userApiKeys;
    await this.db.update(k).set({ lastUsedAt: now }).where(eq(k.id, id));
  }

  async revoke(ids: string[], now: number): Promise<void> {
    const k = this.t.userApiKeys;
    if (ids.length > 0) await this.db.update(k).set({ revokedAt: now, updatedAt: now }).where(and(inArray(k.id, ids), isNull(k.revokedAt)));
  }
}
