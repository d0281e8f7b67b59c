/** @module Organizations and memberships. */
import { and, asc, eq, gt, inArray, type SQL } from "drizzle-orm";
import { BaseStore } from "../../base-store";
import type { MembershipRow, OrganizationRow } from "../wire";

/** Queries on organizations and memberships. */
export class OrgStore extends BaseStore {

  async findById(id: string): Promise<OrganizationRow | undefined> {
    const { userOrganizations } = this.t;
    return (await this.db.select().from(userOrganizations).where(eq(userOrganizations.id, id)).limit(1))[0];
  }

  async findBySlug(appId: string, slug: string): Promise<OrganizationRow | undefined> {
    const { userOrganizations } = this.t;
    return (await this.db.select().from(userOrganizations).where(and(eq(userOrganizations.appId, appId), eq(userOrganizations.slug, slug))).limit(1))[0];
  }

  /** Inserts or rewrites an organization (by id); false when another organization of its app holds the slug. */
  async upsert(row: OrganizationRow): Promise<boolean> {
    const { userOrganizations } = this.t;
    const { id, createdAt, ...rest } = row;
    try {
      await this.db.insert(userOrganizations).values(row).onConflictDoUpdate({ target: userOrganizations.id, set: rest });
      return true;
    } catch (err) {
      if (this.database.isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async list(appId: string, opts: { ids?: string[]; limit: number; afterTime?: number; memberOf?: string }): Promise<OrganizationRow[]> {
    const { userOrganizations } = this.t;
    const parts: SQL[] = [eq(userOrganizations.appId, appId)];
    if (opts.ids) parts.push(inArray(userOrganizations.id, opts.ids));
    if (opts.afterTime !== undefined) parts.push(gt(userOrganizations.createdAt, opts.afterTime));
    if (opts.memberOf) {
      const orgIds = (await this.membershipsOfUser(opts.memberOf, appId)).filter((m) => m.status === "accepted").map((m) => m.organizationId);
      parts.push(inArray(userOrganizations.id, orgIds));
    }
    return await this.db.select().from(userOrganizations).where(and(...parts)).orderBy(asc(userOrganizations.createdAt), asc(userOrganizations.id)).limit(opts.limit);
  }

  async findByIds(ids: string[]): Promise<OrganizationRow[]> {
    const { userOrganizations } = this.t;
    return ids.length === 0 ? [] : await this.db.select().from(userOrganizations).where(inArray(userOrganizations.id, ids));
  }

  async findMembership(organizationId: string, userId: string): Promise<MembershipRow | undefined> {
    const { userMemberships } = this.t;
    return (await this.db.select().from(userMemberships).where(and(eq(userMemberships.organizationId, organizationId), eq(userMemberships.userId, userId))).limit(1))[0];
  }

  async upsertMembership(row: MembershipRow): Promise<void> {
    const { userMemberships } = this.t;
    const { id, createdAt, ...rest } = row;
    await this.db.insert(userMemberships).values(row).onConflictDoUpdate({ target: [userMemberships.organizationId, userMemberships.userId], set: rest });
  }

  async deleteMembership(id: string): Promise<void> {
    const { userMemberships } = this.t;
    await this.db.delete(userMemberships).where(eq(userMemberships.id, id));
  }

  async membershipsOfUser(userId: string, appId: string): Promise<MembershipRow[]> {
    const { userMemberships } = this.t;
    return await this.db.select().from(userMemberships).where(and(eq(userMemberships.userId, userId), eq(userMemberships.appId, appId))).orderBy(asc(userMemberships.createdAt));
  }

  /** The organization a user has made active in an app (the `1ao` claim). */
  async activeOrganizationOf(userId: string, appId: string): Promise<string | undefined> {
    const { userMemberships } = this.t;
    const [row] = await this.db
      .select({ id: userMemberships.organizationId })
      .from(userMemberships)
      .where(and(eq(userMemberships.userId, userId), eq(userMemberships.appId, appId), eq(userMemberships.active, true), eq(userMemberships.status, "accepted")))
      .limit(1);
    return row?.id;
  }

  /** Makes one membership the active one of the user in its app (or none with `organizationId` null), all at once. */
  async setActive(userId: string, appId: string, organizationId: string | null): Promise<void> {
    const { userMemberships } = this.t;
    await this.database.batch((db) => [
      db.update(userMemberships).set({ active: false }).where(and(eq(userMemberships.userId, userId), eq(userMemberships.appId, appId))),
      ...(organizationId ? [db.update(userMemberships).set({ active: true }).where(and(eq(userMemberships.userId, userId), eq(userMemberships.organizationId, organizationId)))] : []),
    ]);
  }

  async listMemberships(filter: { appId: string; organizationId?: string; userId?: string; status?: string; limit: number; afterTime?: number }): Promise<MembershipRow[]> {
    const { userMemberships } = this.t;
    const parts: SQL[] = [eq(userMemberships.appId, filter.appId)];
    if (filter.organizationId) parts.push(eq(userMemberships.organizationId, filter.organizationId));
    if (filter.userId) parts.push(eq(userMemberships.userId, filter.userId));
    if (filter.status) parts.push(eq(userMemberships.status, filter.status as MembershipRow["status"]));
    if (filter.afterTime !== undefined) parts.push(gt(userMemberships.createdAt, filter.afterTime));
    return await this.db.select().from(userMemberships).where(and(...parts)).orderBy(asc(userMemberships.createdAt), asc(userMemberships.id)).limit(filter.limit);
  }
}
