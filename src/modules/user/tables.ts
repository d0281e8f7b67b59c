/**
 * @module User Svc tables (drizzle). Times are Unix milliseconds; lists and maps are JSON text.
 * Users and slugs are global; sessions, enrolls, permits, organizations and memberships are per app
 * (`appId`, with `"*"` meaning every app), as in 1Backend.
 */
import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";

const ms = (name: string) => integer(name).notNull();
const json = <T>(name: string, fallback: string) => text(name, { mode: "json" }).$type<T>().notNull().default(fallback as never);

/** Tenants, created on demand from a host name. */
export const userApps = sqliteTable("user_apps", {
  id: text("id").primaryKey(),
  host: text("host").notNull().unique(),
  createdAt: ms("created_at"),
});

/** Accounts; the slug is global across apps and never changes. */
export const userUsers = sqliteTable("user_users", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull().default(""),
  thumbnailFileId: text("thumbnail_file_id").notNull().default(""),
  labels: json<Record<string, string>>("labels", "{}"),
  createdAt: ms("created_at"),
  updatedAt: ms("updated_at"),
});

/** One password per user (argon2id, or bcrypt when imported); the user may have none. */
export const userPasswords = sqliteTable("user_passwords", {
  userId: text("user_id").primaryKey().references(() => userUsers.id, { onDelete: "cascade" }),
  hash: text("hash").notNull(),
  createdAt: ms("created_at"),
  updatedAt: ms("updated_at"),
});

/** Contacts (an email address is its own id); globally unique. */
export const userContacts = sqliteTable(
  "user_contacts",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => userUsers.id, { onDelete: "cascade" }),
    platform: text("platform").notNull().default(""),
    verified: integer("verified", { mode: "boolean" }).notNull().default(false),
    createdAt: ms("created_at"),
    updatedAt: ms("updated_at"),
  },
  (t) => [index("user_contacts_user").on(t.userId)],
);

/** Every issued token is a session; its id is the JWT `jti`. Deleting the row revokes the token. */
export const userSessions = sqliteTable(
  "user_sessions",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull(),
    userId: text("user_id").notNull().references(() => userUsers.id, { onDelete: "cascade" }),
    device: text("device").notNull(),
    token: text("token").notNull(),
    active: integer("active", { mode: "boolean" }).notNull(),
    createdAt: ms("created_at"),
    expiresAt: ms("expires_at"),
    lastRefreshedAt: integer("last_refreshed_at"),
  },
  (t) => [index("user_sessions_identity").on(t.userId, t.appId, t.device)],
);

/** The RS256 signing key pair, generated on first boot (PKCS#8 and SPKI PEM). */
export const userKeyPairs = sqliteTable("user_key_pairs", {
  id: text("id").primaryKey(),
  privateKey: text("private_key").notNull(),
  publicKey: text("public_key").notNull(),
  createdAt: ms("created_at"),
});

/** Role assignments: to a user directly, or pending on a contact (whoever owns it, now or later). */
export const userEnrolls = sqliteTable(
  "user_enrolls",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull(),
    role: text("role").notNull(),
    userId: text("user_id").references(() => userUsers.id, { onDelete: "cascade" }),
    contactId: text("contact_id"),
    createdBy: text("created_by"),
    createdAt: ms("created_at"),
    updatedAt: ms("updated_at"),
  },
  (t) => [index("user_enrolls_user").on(t.userId), index("user_enrolls_contact").on(t.contactId), index("user_enrolls_role").on(t.role)],
);

/** Grants of a permission to slugs and/or roles in one app or every app (`*`). */
export const userPermits = sqliteTable("user_permits", {
  id: text("id").primaryKey(),
  appId: text("app_id").notNull(),
  permission: text("permission").notNull(),
  slugs: json<string[]>("slugs", "[]"),
  roles: json<string[]>("roles", "[]"),
  createdAt: ms("created_at"),
  updatedAt: ms("updated_at"),
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

/** Opaque API keys; only a SHA-256 of the key is stored (keys are 190-bit random, so no slow hash is needed). */
export const userApiKeys = sqliteTable(
  "user_api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => userUsers.id, { onDelete: "cascade" }),
    appId: text("app_id").notNull(),
    name: text("name").notNull().default(""),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    activeOrganizationId: text("active_organization_id"),
    createdAt: ms("created_at"),
    updatedAt: ms("updated_at"),
    expiresAt: integer("expires_at"),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("user_api_keys_user").on(t.userId)],
);
