/**
 * @module Sessions (stored tokens). The existence check by id runs on the auth path only when the
 * in-memory view has not seen a session yet (SessionService.isLive). Every deletion (a revocation)
 * records the deleted ids in the change feed in the same batch, so the other nodes' views drop them
 * (contract §7); on one node the feed records nothing.
 */
import { and, asc, count, desc, eq, inArray, ne, type SQL } from "drizzle-orm";
import type { Tables } from "../../../../db/database";
import { FEED_TOPICS, singleNodeFeed, type ChangeFeed, type FeedConsumer } from "../../../cluster/feed";
import { BaseStore, type StoreDeps } from "../../base-store";
import type { SessionRow } from "../wire";

/** Which sessions a revocation or inactivation touches; every set field must match. */
export interface SessionFilter {
  userId?: string;
  appId?: string;
  device?: string;
  /** Leave this session out (the caller's own, when a password change ends the others). */
  exceptId?: string;
}

/** Ids per DELETE … IN (…): well below SQLite's and PostgreSQL's bound-parameter limits. */
const DELETE_CHUNK = 500;

/** Queries on `user_sessions`. */
export class SessionStore extends BaseStore {
  private readonly feed: ChangeFeed;

  constructor(deps: StoreDeps & { feed?: ChangeFeed }) {
    super(deps);
    this.feed = deps.feed ?? singleNodeFeed;
  }

  /** Calls `consumer` with the ids of sessions other nodes deleted (from the change feed). */
  onDeletedElsewhere(consumer: FeedConsumer): void {
    this.feed.subscribe(FEED_TOPICS.sessionRevoked, consumer);
  }

  /** Whether a session row exists (it is deleted on revocation). */
  async isStored(id: string): Promise<boolean> {
    const s = this.t.userSessions;
    return (await this.db.select({ id: s.id }).from(s).where(eq(s.id, id)).limit(1)).length > 0;
  }

  async insert(row: SessionRow): Promise<void> {
    await this.db.insert(this.t.userSessions).values(row);
  }

  async findById(id: string): Promise<SessionRow | undefined> {
    const s = this.t.userSessions;
    return (await this.db.select().from(s).where(eq(s.id, id)).limit(1))[0];
  }

  /** The newest active session of a user on a device in an app (login reuses it). */
  async findActive(userId: string, appId: string, device: string): Promise<SessionRow | undefined> {
    const s = this.t.userSessions;
    const rows = await this.db
      .select()
      .from(s)
      .where(and(eq(s.userId, userId), eq(s.appId, appId), eq(s.device, device), eq(s.active, true)))
      .orderBy(desc(s.createdAt))
      .limit(1);
    return rows[0];
  }

  /** Marks sessions inactive (they still work; the next login mints a new token with fresh roles). */
  async inactivate(filter: SessionFilter): Promise<void> {
    const s = this.t.userSessions;
    await this.db.update(s).set({ active: false }).where(matching(s, filter));
  }

  async markRefreshed(id: string, now: number): Promise<void> {
    const s = this.t.userSessions;
    await this.db.update(s).set({ active: false, lastRefreshedAt: now }).where(eq(s.id, id));
  }

  /**
   * Deletes the matching sessions and returns their ids, so the in-memory view can forget them. The
   * ids are read first and exactly those are deleted, with their feed rows in the same batch: a
   * session minted meanwhile is not matched, so it is neither deleted unseen nor left live in a view.
   */
  async delete(filter: SessionFilter): Promise<string[]> {
    const ids = await this.idsOf(filter);
    await this.deleteIds(ids);
    return ids;
  }

  /** Deletes sessions by id, all or none, recording them in the change feed in the same batch. */
  async deleteIds(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const s = this.t.userSessions;
    await this.database.batch((db) => {
      const queries = [];
      for (let i = 0; i < ids.length; i += DELETE_CHUNK) {
        const chunk = ids.slice(i, i + DELETE_CHUNK);
        queries.push(db.delete(s).where(inArray(s.id, chunk)), ...this.feed.record(db, FEED_TOPICS.sessionRevoked, chunk));
      }
      return queries;
    });
  }

  /**
   * Keeps a device's session list bounded (reference §3.5): the active ones and the two most recently
   * refreshed inactive ones survive; older inactive sessions are deleted. Returns the deleted ids.
   */
  async prune(userId: string, appId: string, device: string): Promise<string[]> {
    const s = this.t.userSessions;
    const rows = await this.db
      .select({ id: s.id })
      .from(s)
      .where(and(eq(s.userId, userId), eq(s.appId, appId), eq(s.device, device), eq(s.active, false)))
      .orderBy(desc(s.lastRefreshedAt), desc(s.createdAt));
    const doomed = rows.slice(2).map((r) => r.id);
    await this.deleteIds(doomed);
    return doomed;
  }

  /** Ids of a user's sessions past the `keep` newest, to be dropped. */
  async beyondNewest(userId: string, keep: number): Promise<string[]> {
    const s = this.t.userSessions;
    const rows = await this.db
      .select({ id: s.id })
      .from(s)
      .where(eq(s.userId, userId))
      .orderBy(desc(s.createdAt))
      .limit(1000) // each mint adds one session, so the excess past the cap is small
      .offset(keep);
    return rows.map((r) => r.id);
  }

  async countOf(userId: string): Promise<number> {
    const s = this.t.userSessions;
    return (await this.db.select({ n: count() }).from(s).where(eq(s.userId, userId)))[0]?.n ?? 0;
  }

  async idsOf(filter: SessionFilter): Promise<string[]> {
    const s = this.t.userSessions;
    return (await this.db.select({ id: s.id }).from(s).where(matching(s, filter)).orderBy(asc(s.createdAt))).map((r) => r.id);
  }
}

/** The WHERE of a {@link SessionFilter}; appId `*` means every app. */
function matching(s: Tables["userSessions"], filter: SessionFilter): SQL | undefined {
  const parts: SQL[] = [];
  if (filter.userId !== undefined) parts.push(eq(s.userId, filter.userId));
  if (filter.appId !== undefined && filter.appId !== "*") parts.push(eq(s.appId, filter.appId));
  if (filter.device !== undefined) parts.push(eq(s.device, filter.device));
  if (filter.exceptId !== undefined) parts.push(ne(s.id, filter.exceptId));
  return and(...parts);
}
