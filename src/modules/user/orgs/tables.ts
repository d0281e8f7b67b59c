/** @module Tenant tables (drizzle, both dialects through the column kit): apps, and per app its organizations and their memberships. */
import type { ColumnKit } from "../../../db/columns";
import type { IdentityTables } from "../identity/tables";

/** The tenant tables for one dialect and prefix; memberships reference the identity tables' users. */
export function defineOrgsTables(c: ColumnKit, { userUsers }: Pick<IdentityTables, "userUsers">) {
  /** Tenants, created on demand from a host name. */
  const userApps = c.table("user_apps", {
    id: c.text("id").primaryKey(),
    host: c.text("host").notNull().unique(),
    createdAt: c.time("created_at").notNull(),
  });

  /** Organizations, per app; the slug is unique within its app. */
  const userOrganizations = c.table(
    "user_organizations",
    {
      id: c.text("id").primaryKey(),
      appId: c.text("app_id").notNull(),
      slug: c.text("slug").notNull(),
      name: c.text("name").notNull(),
      thumbnailFileId: c.text("thumbnail_file_id").notNull().default(""),
      createdAt: c.time("created_at").notNull(),
      updatedAt: c.time("updated_at").notNull(),
    },
    (t) => [c.uniqueIndex("user_organizations_app_slug").on(t.appId, t.slug)],
  );

  /** A user's membership of an organization; `active` marks the organization named in their tokens. */
  const userMemberships = c.table(
    "user_memberships",
    {
      id: c.text("id").primaryKey(),
      appId: c.text("app_id").notNull(),
      organizationId: c.text("organization_id").notNull().references(() => userOrganizations.id, { onDelete: "cascade" }),
      userId: c.text("user_id").notNull().references(() => userUsers.id, { onDelete: "cascade" }),
      status: c.text("status").$type<"pending" | "accepted" | "declined">().notNull(),
      roles: c.json<string[]>("roles", []),
      active: c.boolean("active").notNull().default(false),
      invitedBy: c.text("invited_by"),
      acceptedAt: c.time("accepted_at"),
      createdAt: c.time("created_at").notNull(),
      updatedAt: c.time("updated_at").notNull(),
    },
    (t) => [c.uniqueIndex("user_memberships_org_user").on(t.organizationId, t.userId), c.index("user_memberships_user").on(t.userId)],
  );

  return { userApps, userOrganizations, userMemberships };
}
