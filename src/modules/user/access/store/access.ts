/** @module Enrolls (role assignments) and permits (permission grants), and role computation. */
import { and, asc, countDistinct, eq, inArray, isNotNull, notInArray, or, type SQL } from "drizzle-orm";
import { BaseStore, type StoreDeps } from "../../base-store";
import { userContacts } from "../../identity/tables";
import { userEnrolls, userPermits } from "../tables";
import type { EnrollRow, PermitRow } from "../wire";
import { ROLE_ADMIN } from "../permissions";

/** Queries on enrolls and permits. */
export class AccessStore extends BaseStore {

  /**
   * Roles of a user in an app (reference §3.4): enrolls of that app or `*`, by user id or by any of
   * the user's contacts (pending enrolls), plus admin enrolls from any app.
   */
  rolesOf(userId: string, appId: string): string[] {
    const contactIds = this.db.select({ id: userContacts.id }).from(userContacts).where(eq(userContacts.userId, userId)).all().map((c) => c.id);
    const who = contactIds.length > 0 ? or(eq(userEnrolls.userId, userId), inArray(userEnrolls.contactId, contactIds))! : eq(userEnrolls.userId, userId);
    const rows = this.db
      .select({ role: userEnrolls.role })
      .from(userEnrolls)
      .where(or(and(inArray(userEnrolls.appId, [appId, "*"]), who), and(eq(userEnrolls.role, ROLE_ADMIN), eq(userEnrolls.userId, userId))))
      .orderBy(asc(userEnrolls.createdAt), asc(userEnrolls.id))
      .all();
    return [...new Set(rows.map((r) => r.role))];
  }

  /**
   * How many users hold `role` directly, not counting the enrolls `exceptIds` (pending contact enrolls
   * name nobody yet, so they do not count).
   */
  countUsersWithRole(role: string, exceptIds: string[] = []): number {
    const where = and(eq(userEnrolls.role, role), isNotNull(userEnrolls.userId), exceptIds.length > 0 ? notInArray(userEnrolls.id, exceptIds) : undefined);
    return this.db.select({ n: countDistinct(userEnrolls.userId) }).from(userEnrolls).where(where).get()?.n ?? 0;
  }

  findEnroll(appId: string, userId: string, role: string): EnrollRow | undefined {
    return this.db.select().from(userEnrolls).where(and(eq(userEnrolls.appId, appId), eq(userEnrolls.userId, userId), eq(userEnrolls.role, role))).get();
  }

  findEnrollsById(ids: string[]): EnrollRow[] {
    return ids.length === 0 ? [] : this.db.select().from(userEnrolls).where(inArray(userEnrolls.id, ids)).all();
  }

  upsertEnroll(row: EnrollRow): void {
    const { id, ...rest } = row;
    this.db.insert(userEnrolls).values(row).onConflictDoUpdate({ target: userEnrolls.id, set: { ...rest, createdAt: undefined } }).run();
  }

  deleteEnrolls(ids: string[]): void {
    if (ids.length > 0) this.db.delete(userEnrolls).where(inArray(userEnrolls.id, ids)).run();
  }

  /** Deletes a user's enrolls of these roles in an app (or `*`). */
  removeRoles(appId: string, userId: string, roles: string[]): void {
    if (roles.length === 0) return;
    this.db.delete(userEnrolls).where(and(inArray(userEnrolls.appId, [appId, "*"]), eq(userEnrolls.userId, userId), inArray(userEnrolls.role, roles))).run();
  }

  listEnrolls(filter: { userId?: string; contactId?: string; role?: string }): EnrollRow[] {
    const parts: SQL[] = [];
    if (filter.userId) parts.push(eq(userEnrolls.userId, filter.userId));
    if (filter.contactId) parts.push(eq(userEnrolls.contactId, filter.contactId));
    if (filter.role) parts.push(eq(userEnrolls.role, filter.role));
    return this.db.select().from(userEnrolls).where(and(...parts)).orderBy(asc(userEnrolls.createdAt), asc(userEnrolls.id)).all();
  }

  allPermits(): PermitRow[] {
    return this.db.select().from(userPermits).orderBy(asc(userPermits.createdAt), asc(userPermits.id)).all();
  }

  /** Permits of these permissions (any app). */
  permitsOf(permissions: string[]): PermitRow[] {
    return permissions.length === 0 ? [] : this.db.select().from(userPermits).where(inArray(userPermits.permission, [...new Set(permissions)])).all();
  }

  findPermitsById(ids: string[]): PermitRow[] {
    return ids.length === 0 ? [] : this.db.select().from(userPermits).where(inArray(userPermits.id, ids)).all();
  }

  deletePermits(ids: string[]): void {
    if (ids.length > 0) this.db.delete(userPermits).where(inArray(userPermits.id, ids)).run();
  }

  /** Inserts or replaces permits in one transaction. */
  upsertPermits(rows: PermitRow[]): void {
    if (rows.length === 0) return;
    this.db.transaction((tx) => {
      for (const row of rows) {
        const { id, createdAt, ...rest } = row;
        tx.insert(userPermits).values(row).onConflictDoUpdate({ target: userPermits.id, set: rest }).run();
      }
    });
  }
}
