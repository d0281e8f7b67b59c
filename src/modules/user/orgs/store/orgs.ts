/** @module Organizations and memberships. */
import { and, asc, eq, gt, inArray, type SQL } from "drizzle-orm";
import { BaseStore, type StoreDeps } from "../../base-store";
import { userMemberships, userOrganizations } from "../tables";
import type { MembershipRow, OrganizationRow } from "../wire";

/** Queries on organizations and memberships. */
export class OrgStore extends BaseStore {

  findById(id: string): OrganizationRow | undefined {
    return this.db.select().from(userOrganizations).where(eq(userOrganizations.id, id)).get();
  }

  findBySlug(appId: string, slug: string): OrganizationRow | undefined {
    return this.db.select().from(userOrganizations).where(and(eq(userOrganizations.appId, appId), eq(userOrganizations.slug, slug))).get();
  }

  upsert(row: OrganizationRow): void {
    const { id, createdAt, ...rest } = row;
    this.db.insert(userOrganizations).values(row).onConflictDoUpdate({ target: userOrganizations.id, set: rest }).run();
  }

  list(appId: string, opts: { ids?: string[]; limit: number; afterTime?: number; memberOf?: string }): OrganizationRow[] {
    const parts: SQL[] = [eq(userOrganizations.appId, appId)];
    if (opts.ids) parts.push(inArray(userOrganizations.id, opts.ids));
    if (opts.afterTime !== undefined) parts.push(gt(userOrganizations.createdAt, opts.afterTime));
    if (opts.memberOf) {
      const orgIds = this.membershipsOfUser(opts.memberOf, appId).filter((m) => m.status === "accepted").map((m) => m.organizationId);
      parts.push(inArray(userOrganizations.id, orgIds));
    }
    return this.db.select().from(userOrganizations).where(and(...parts)).orderBy(asc(userOrganizations.createdAt), asc(userOrganizations.id)).limit(opts.limit).all();
  }

  findByIds(ids: string[]): OrganizationRow[] {
    return ids.length === 0 ? [] : this.db.select().from(userOrganizations).where(inArray(userOrganizations.id, ids)).all();
  }

  findMembership(organizationId: string, userId: string): MembershipRow | undefined {
    return this.db.select().from(userMemberships).where(and(eq(userMemberships.organizationId, organizationId), eq(userMemberships.userId, userId))).get();
  }

  upsertMembership(row: MembershipRow): void {
    const { id, createdAt, ...rest } = row;
    this.db.insert(userMemberships).values(row).onConflictDoUpdate({ target: [userMemberships.organizationId, userMemberships.userId], set: rest }).run();
  }

  deleteMembership(id: string): void {
    this.db.delete(userMemberships).where(eq(userMemberships.id, id)).run();
  }

  membershipsOfUser(userId: string, appId: string): MembershipRow[] {
    return this.db.select().from(userMemberships).where(and(eq(userMemberships.userId, userId), eq(userMemberships.appId, appId))).orderBy(asc(userMemberships.createdAt)).all();
  }

  /** The organization a user has made active in an app (the `1ao` claim). */
  activeOrganizationOf(userId: string, appId: string): string | undefined {
    return this.db
      .select({ id: userMemberships.organizationId })
      .from(userMemberships)
      .where(and(eq(userMemberships.userId, userId), eq(userMemberships.appId, appId), eq(userMemberships.active, true), eq(userMemberships.status, "accepted")))
      .get()?.id;
  }

  /** Makes one membership the active one of the user in its app (or none with `organizationId` null). */
  setActive(userId: string, appId: string, organizationId: string | null): void {
    this.db.transaction((tx) => {
      tx.update(userMemberships).set({ active: false }).where(and(eq(userMemberships.userId, userId), eq(userMemberships.appId, appId))).run();
      if (organizationId) {
        tx.update(userMemberships).set({ active: true }).where(and(eq(userMemberships.userId, userId), eq(userMemberships.organizationId, organizationId))).run();
      }
    });
  }

  listMemberships(filter: { appId: string; organizationId?: string; userId?: string; status?: string; limit: number; afterTime?: number }): MembershipRow[] {
    const parts: SQL[] = [eq(userMemberships.appId, filter.appId)];
    if (filter.organizationId) parts.push(eq(userMemberships.organizationId, filter.organizationId));
    if (filter.userId) parts.push(eq(userMemberships.userId, filter.userId));
    if (filter.status) parts.push(eq(userMemberships.status, filter.status as MembershipRow["status"]));
    if (filter.afterTime !== undefined) parts.push(gt(userMemberships.createdAt, filter.afterTime));
    return this.db.select().from(userMemberships).where(and(...parts)).orderBy(asc(userMemberships.createdAt), asc(userMemberships.id)).limit(filter.limit).all();
  }
}
