/**
 * @module Enrolls (role assignments) and permits (permission grants), and role computation. Every
 * permit save and delete records the permit ids in the change feed in the same batch, so the other
 * nodes' permit indexes read them again (contract §7); on one node the feed records nothing. Enrolls
 * need no feed: roles are read from the table when a token is minted, never kept in memory.
 */
import { and, asc, countDistinct, eq, inArray, isNotNull, notInArray, or, type SQL } from "drizzle-orm";
import { FEED_TOPICS, singleNodeFeed, type ChangeFeed, type FeedConsumer } from "../../../cluster/feed";
import type { Db, PendingQuery } from "../../../../db/database";
import { BaseStore, type StoreDeps } from "../../base-store";
import type { EnrollRow, PermitRow } from "../wire";
import { ROLE_ADMIN } from "../permissions";

/** Queries on enrolls and permits. */
export class AccessStore extends BaseStore {
  private readonly feed: ChangeFeed;

  constructor(deps: StoreDeps & { feed?: ChangeFeed }) {
    super(deps);
    this.feed = deps.feed ?? singleNodeFeed;
  }

  /** Whether other nodes' changes can arrive (a cluster), so the permit index has something to follow. */
  get followsOtherNodes(): boolean {
    return this.feed !== singleNodeFeed;
  }

  /** Calls `consumer` with the ids of permits other nodes saved or deleted (from the change feed). */
  onPermitsChangedElsewhere(consumer: FeedConsumer): void {
    this.feed.subscribe(FEED_TOPICS.permitChanged, consumer);
  }

  /**
   * Roles of a user in an app (reference §3.4): enrolls of that app or `*`, by user id or by any of
   * the user's verified contacts (pending enrolls: whoever registers an address without proving it
   * gets none of its roles), plus admin enrolls from any app.
   */
  async rolesOf(userId: string, appId: string): Promise<string[]> {
    const { userContacts, userEnrolls } = this.t;
    const contacts = await this.db.select({ id: userContacts.id }).from(userContacts).where(and(eq(userContacts.userId, userId), eq(userContacts.verified, true)));
    const contactIds = contacts.map((c) => c.id);
    const who = contactIds.length > 0 ? or(eq(userEnrolls.userId, userId), inArray(userEnrolls.contactId, contactIds))! : eq(userEnrolls.userId, userId);
    const rows = await this.db
      .select({ role: userEnrolls.role })
      .from(userEnrolls)
      .where(or(and(inArray(userEnrolls.appId, [appId, "*"]), who), and(eq(userEnrolls.role, ROLE_ADMIN), eq(userEnrolls.userId, userId))))
      .orderBy(asc(userEnrolls.createdAt), asc(userEnrolls.id));
    return [...new Set(rows.map((r) => r.role))];
  }

  /**
   * How many users hold `role` directly, not counting the enrolls `exceptIds` (pending contact enrolls
   * name nobody yet, so they do not count).
   */
  async countUsersWithRole(role: string, exceptIds: string[] = []): Promise<number> {
    const { userEnrolls } = this.t;
    const where = and(eq(userEnrolls.role, role), isNotNull(userEnrolls.userId), exceptIds.length > 0 ? notInArray(userEnrolls.id, exceptIds) : undefined);
    const [row] = await this.db.select({ n: countDistinct(userEnrolls.userId) }).from(userEnrolls).where(where);
    return row?.n ?? 0;
  }

  async findEnroll(appId: string, userId: string, role: string): Promise<EnrollRow | undefined> {
    const { userEnrolls } = this.t;
    return (await this.db.select().from(userEnrolls).where(and(eq(userEnrolls.appId, appId), eq(userEnrolls.userId, userId), eq(userEnrolls.role, role))).limit(1))[0];
  }

  async findEnrollsById(ids: string[]): Promise<EnrollRow[]> {
    const { userEnrolls } = this.t;
    return ids.length === 0 ? [] : await this.db.select().from(userEnrolls).where(inArray(userEnrolls.id, ids));
  }

  /** Inserts an enroll, or rewrites the one with its id (keeping its creation time). */
  async upsertEnroll(row: EnrollRow): Promise<void> {
    const { userEnrolls } = this.t;
    const { id, createdAt, ...rest } = row;
    await this.db.insert(userEnrolls).values(row).onConflictDoUpdate({ target: userEnrolls.id, set: rest });
  }

  /** The inserts of new enrolls, built on `db` for a caller's batch (the user they name is created in it). */
  enrollInserts(db: Db, rows: EnrollRow[]): PendingQuery[] {
    return rows.length === 0 ? [] : [db.insert(this.t.userEnrolls).values(rows)];
  }

  async deleteEnrolls(ids: string[]): Promise<void> {
    const { userEnrolls } = this.t;
    if (ids.length > 0) await this.db.delete(userEnrolls).where(inArray(userEnrolls.id, ids));
  }

  /** Deletes a user's enrolls of these roles in an app (or `*`). */
  async removeRoles(appId: string, userId: string, roles: string[]): Promise<void> {
    const { userEnrolls } = this.t;
    if (roles.length === 0) return;
    await this.db.delete(userEnrolls).where(and(inArray(userEnrolls.appId, [appId, "*"]), eq(userEnrolls.userId, userId), inArray(userEnrolls.role, roles)));
  }

  async listEnrolls(filter: { userId?: string; contactId?: string; role?: string }): Promise<EnrollRow[]> {
    const { userEnrolls } = this.t;
    const parts: SQL[] = [];
    if (filter.userId) parts.push(eq(userEnrolls.userId, filter.userId));
    if (filter.contactId) parts.push(eq(userEnrolls.contactId, filter.contactId));
    if (filter.role) parts.push(eq(userEnrolls.role, filter.role));
    return await this.db.select().from(userEnrolls).where(and(...parts)).orderBy(asc(userEnrolls.createdAt), asc(userEnrolls.id));
  }

  async allPermits(): Promise<PermitRow[]> {
    const { userPermits } = this.t;
    return await this.db.select().from(userPermits).orderBy(asc(userPermits.createdAt), asc(userPermits.id));
  }

  /** Permits of these permissions (any app). */
  async permitsOf(permissions: string[]): Promise<PermitRow[]> {
    const { userPermits } = this.t;
    return permissions.length === 0 ? [] : await this.db.select().from(userPermits).where(inArray(userPermits.permission, [...new Set(permissions)]));
  }

  async findPermitsById(ids: string[]): Promise<PermitRow[]> {
    const { userPermits } = this.t;
    return ids.length === 0 ? [] : await this.db.select().from(userPermits).where(inArray(userPermits.id, ids));
  }

  /** Deletes permits by id, recording them in the change feed in the same batch. */
  async deletePermits(ids: string[]): Promise<void> {
    const { userPermits } = this.t;
    if (ids.length === 0) return;
    await this.database.batch((db) => [db.delete(userPermits).where(inArray(userPermits.id, ids)), ...this.feed.record(db, FEED_TOPICS.permitChanged, ids)]);
  }

  /** Inserts or replaces permits (by id, keeping their creation time), all or none, with their feed rows. */
  async upsertPermits(rows: PermitRow[]): Promise<void> {
    const { userPermits } = this.t;
    if (rows.length === 0) return;
    await this.database.batch((db) => [
      ...rows.map((row) => {
        const { id, createdAt, ...rest } = row;
        return db.insert(userPermits).values(row).onConflictDoUpdate({ target: userPermits.id, set: rest });
      }),
      ...this.feed.record(db, FEED_TOPICS.permitChanged, rows.map((r) => r.id)),
    ]);
  }
}
