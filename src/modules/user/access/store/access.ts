/** @module Enrolls (role assignments) and permits (permission grants), and role computation. */
import { and, asc, countDistinct, eq, inArray, isNotNull, notInArray, or, type SQL } from "drizzle-orm";
import { BaseStore } from "../../base-store";
import type { EnrollRow, PermitRow } from "../wire";
import { ROLE_ADMIN } from "../permissions";

/** Queries on enrolls and permits. */
export class AccessStore extends BaseStore {

  /**
   * Roles of a user in an app (reference §3.4): enrolls of that app or `*`, by user id or by any of
   * the user's contacts (pending enrolls), plus admin enrolls from any app.
   */
  async rolesOf(userId: string, appId: string): Promise<string[]> {
    const { userContacts, userEnrolls } = this.t;
    const contacts = await this.db.select({ id: userContacts.id }).from(userContacts).where(eq(userContacts.userId, userId));
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

  async deletePermits(ids: string[]): Promise<void> {
    const { userPermits } = this.t;
    if (ids.length > 0) await this.db.delete(userPermits).where(inArray(userPermits.id, ids));
  }

  /** Inserts or replaces permits (by id, keeping their creation time), all or none. */
  async upsertPermits(rows: PermitRow[]): Promise<void> {
    const { userPermits } = this.t;
    if (rows.length === 0) return;
    await this.database.batch((db) =>
      rows.map((row) => {
        const { id, createdAt, ...rest } = row;
        return db.insert(userPermits).values(row).onConflictDoUpdate({ target: userPermits.id, set: rest });
      }),
    );
  }
}
