/** @module Tenant tables (drizzle): apps, and per app its organizations and their memberships. */
import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ms, json } from "../columns";
import { userUsers } from "../identity/tables";

/** Tenants, created on demand from a host name. */
export const userApps = sqliteTable("user_apps", {
  id: text("id").primaryKey(),
  host: text("host").notNull().unique(),
  createdAt: ms("created_at"),
});

/** Organizations, per app; the slug is unique within its app. */
export const userOrganizations = sqliteTable(
  "user_organizations",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    thumbnailFileId: text("thumbnail_file_id").notNull().default(""),
    createdAt: ms("created_at"),
    updatedAt: ms("updated_at"),
  },
  (t) => [uniqueIndex("user_organizations_app_slug").on(t.appId, t.slug)],
);

/** A user's membership of an organization; `active` marks the organization named in their tokens. */
export const userMemberships = sqliteTable(
  "user_memberships",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull(),
    organizationId: text("organization_id").notNull().references(() => userOrganizations.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => userUsers.id, { onDelete: "cascade" }),
    status: text("status").$type<"pending" | "accepted" | "declined">().notNull(),
    roles: json<string[]>("roles", "[]"),
    active: integer("active", { mode: "boolean" }).notNull().default(false),
    invitedBy: text("invited_by"),
    acceptedAt: integer("accepted_at"),
    createdAt: ms("created_at"),
    updatedAt: ms("updated_at"),
  },
  (t) => [uniqueIndex("user_memberships_org_user").on(t.organizationId, t.userId), index("user_memberships_user").on(t.userId)],
);
