/**
 * @module Sessions (stored tokens). The liveness check by id is a prepared raw statement: it runs
 * on the auth path when the in-memory view has not seen a session yet.
 */
import type { Statement } from "bun:sqlite";
import { and, asc, count, desc, eq, inArray, ne, type SQL } from "drizzle-orm";
import { BaseStore, type StoreDeps } from "../../base-store";
import { userSessions } from "../tables";
import type { SessionRow } from "../wire";

/** Which sessions a revocation or inactivation touches; every set field must match. */
export interface SessionFilter {
  userId?: string;
  appId?: string;
  device?: string;
  /** Leave this session out (the caller's own, when a password change ends the others). */
  exceptId?: string;
}

/** Queries on `user_sessions`. */
export class SessionStore extends BaseStore {
  private readonly exists: Statement<{ one: number }, [string]>;

  constructor(deps: StoreDeps) {
    super(deps);
    this.exists = deps.sqlite.query<{ one: number }, [string]>("SELECT 1 AS one FROM user_sessions WHERE id = ?");
  }

  /** Whether a session row exists (it is deleted on revocation). */
  isStored(id: string): boolean {
    return this.exists.get(id) !== null;
  }

  insert(row: SessionRow): void {
    this.db.insert(userSessions).values(row).run();
  }

  findById(id: string): SessionRow | undefined {
    return this.db.select().from(userSessions).where(eq(userSessions.id, id)).get();
  }

  /** The newest active session of a user on a device in an app (login reuses it). */
  findActive(userId: string, appId: string, device: string): SessionRow | undefined {
    return this.db
      .select()
      .from(userSessions)
      .where(and(eq(userSessions.userId, userId), eq(userSessions.appId, appId), eq(userSessions.device, device), eq(userSessions.active, true)))
      .orderBy(desc(userSessions.createdAt))
      .get();
  }

  /** Marks sessions inactive (they still work; the next login mints a new token with fresh roles). */
  inactivate(filter: SessionFilter): void {
    this.db.update(userSessions).set({ active: false }).where(where(filter)).run();
  }

  markRefreshed(id: string, now: number): void {
    this.db.update(userSessions).set({ active: false, lastRefreshedAt: now }).where(eq(userSessions.id, id)).run();
  }

  /** Deletes matching sessions and returns their ids, so the in-memory view can forget them. */
  delete(filter: SessionFilter): string[] {
    const ids = this.db.select({ id: userSessions.id }).from(userSessions).where(where(filter)).all().map((r) => r.id);
    this.deleteIds(ids);
    return ids;
  }

  deleteIds(ids: string[]): void {
    for (let i = 0; i < ids.length; i += 500) this.db.delete(userSessions).where(inArray(userSessions.id, ids.slice(i, i + 500))).run();
  }

  /**
   * Keeps a device's session list bounded (reference §3.5): the active ones and the two most recently
   * refreshed inactive ones survive; older inactive sessions are deleted. Returns the deleted ids.
   */
  prune(userId: string, appId: string, device: string): string[] {
    const rows = this.db
      .select({ id: userSessions.id, active: userSessions.active })
      .from(userSessions)
      .where(and(eq(userSessions.userId, userId), eq(userSessions.appId, appId), eq(userSessions.device, device), eq(userSessions.active, false)))
      .orderBy(desc(userSessions.lastRefreshedAt), desc(userSessions.createdAt))
      .all();
    const doomed = rows.slice(2).map((r) => r.id);
    this.deleteIds(doomed);
    return doomed;
  }

  /** Ids of a user's sessions past the `keep` newest, to be dropped. */
  beyondNewest(userId: string, keep: number): string[] {
    const rows = this.db
      .select({ id: userSessions.id })
      .from(userSessions)
      .where(eq(userSessions.userId, userId))
      .orderBy(desc(userSessions.createdAt))
      .limit(1000) // each mint adds one session, so the excess past the cap is small
      .offset(keep)
      .all();
    return rows.map((r) => r.id);
  }

  countOf(userId: string): number {
    return this.db.select({ n: count() }).from(userSessions).where(eq(userSessions.userId, userId)).get()?.n ?? 0;
  }

  idsOf(filter: SessionFilter): string[] {
    return this.db.select({ id: userSessions.id }).from(userSessions).where(where(filter)).orderBy(asc(userSessions.createdAt)).all().map((r) => r.id);
  }
}

function where(filter: SessionFilter): SQL | undefined {
  const parts: SQL[] = [];
  if (filter.userId !== undefined) parts.push(eq(userSessions.userId, filter.userId));
  if (filter.appId !== undefined && filter.appId !== "*") parts.push(eq(userSessions.appId, filter.appId));
  if (filter.device !== undefined) parts.push(eq(userSessions.device, filter.device));
  if (filter.exceptId !== undefined) parts.push(ne(userSessions.id, filter.exceptId));
  return and(...parts);
}
