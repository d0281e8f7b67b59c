/** @module API keys (only their SHA-256 is stored). */
import { and, asc, eq, inArray, isNull, type SQL } from "drizzle-orm";
import { BaseStore, type StoreDeps } from "../../base-store";
import { userApiKeys } from "../tables";
import type { ApiKeyRow } from "../wire";

/** Queries on `user_api_keys`. */
export class ApiKeyStore extends BaseStore {

  insert(row: ApiKeyRow): void {
    this.db.insert(userApiKeys).values(row).run();
  }

  findByHash(keyHash: string): ApiKeyRow | undefined {
    return this.db.select().from(userApiKeys).where(eq(userApiKeys.keyHash, keyHash)).get();
  }

  findByIds(ids: string[]): ApiKeyRow[] {
    return ids.length === 0 ? [] : this.db.select().from(userApiKeys).where(inArray(userApiKeys.id, ids)).all();
  }

  list(filter: { userId?: string; ids?: string[]; appId?: string; includeRevoked: boolean }): ApiKeyRow[] {
    const parts: SQL[] = [];
    if (filter.userId) parts.push(eq(userApiKeys.userId, filter.userId));
    if (filter.ids) parts.push(inArray(userApiKeys.id, filter.ids));
    if (filter.appId) parts.push(eq(userApiKeys.appId, filter.appId));
    if (!filter.includeRevoked) parts.push(isNull(userApiKeys.revokedAt));
    return this.db.select().from(userApiKeys).where(and(...parts)).orderBy(asc(userApiKeys.createdAt), asc(userApiKeys.id)).all();
  }

  markUsed(id: string, now: number): void {
    this.db.update(userApiKeys).set({ lastUsedAt: now }).where(eq(userApiKeys.id, id)).run();
  }

  revoke(ids: string[], now: number): void {
    if (ids.length > 0) this.db.update(userApiKeys).set({ revokedAt: now, updatedAt: now }).where(and(inArray(userApiKeys.id, ids), isNull(userApiKeys.revokedAt))).run();
  }
}
