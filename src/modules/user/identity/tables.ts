/**
 * @module Identity tables (drizzle): accounts, passwords, contacts, sessions, the signing key pair and
 * API keys. Users and slugs are global; sessions are per app (`appId`).
 */
import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { ms, json } from "../columns";

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
