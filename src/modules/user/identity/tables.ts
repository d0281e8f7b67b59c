/**
 * @module Identity tables (drizzle, both dialects through the column kit): accounts, passwords,
 * contacts, sessions, the signing key pair and API keys. Users and slugs are global; sessions are per
 * app (`appId`). Times are Unix milliseconds.
 */
import type { ColumnKit } from "../../../db/columns";

/** The identity tables for one dialect and prefix. */
export function defineIdentityTables(c: ColumnKit) {
  /** Accounts; the slug is global across apps and never changes. */
  const userUsers = c.table("user_users", {
    id: c.text("id").primaryKey(),
    slug: c.text("slug").notNull().unique(),
    name: c.text("name").notNull().default(""),
    thumbnailFileId: c.text("thumbnail_file_id").notNull().default(""),
    labels: c.json<Record<string, string>>("labels", {}),
    createdAt: c.time("created_at").notNull(),
    updatedAt: c.time("updated_at").notNull(),
  });

  /** One password per user (argon2id, or bcrypt when imported); the user may have none. */
  const userPasswords = c.table("user_passwords", {
    userId: c.text("user_id").primaryKey().references(() => userUsers.id, { onDelete: "cascade" }),
    hash: c.text("hash").notNull(),
    createdAt: c.time("created_at").notNull(),
    updatedAt: c.time("updated_at").notNull(),
  });

  /** Contacts (an email address is its own id); globally unique. */
  const userContacts = c.table(
    "user_contacts",
    {
      id: c.text("id").primaryKey(),
      userId: c.text("user_id").notNull().references(() => userUsers.id, { onDelete: "cascade" }),
      platform: c.text("platform").notNull().default(""),
      verified: c.boolean("verified").notNull().default(false),
      createdAt: c.time("created_at").notNull(),
      updatedAt: c.time("updated_at").notNull(),
    },
    (t) => [c.index("user_contacts_user").on(t.userId)],
  );

  /** Every issued token is a session; its id is the JWT `jti`. Deleting the row revokes the token. */
  const userSessions = c.table(
    "user_sessions",
    {
      id: c.text("id").primaryKey(),
      appId: c.text("app_id").notNull(),
      userId: c.text("user_id").notNull().references(() => userUsers.id, { onDelete: "cascade" }),
      device: c.text("device").notNull(),
      token: c.text("token").notNull(),
      active: c.boolean("active").notNull(),
      createdAt: c.time("created_at").notNull(),
      expiresAt: c.time("expires_at").notNull(),
      lastRefreshedAt: c.time("last_refreshed_at"),
    },
    (t) => [c.index("user_sessions_identity").on(t.userId, t.appId, t.device)],
  );

  /** The RS256 signing key pair, generated on first boot (PKCS#8 and SPKI PEM). */
  const userKeyPairs = c.table("user_key_pairs", {
    id: c.text("id").primaryKey(),
    privateKey: c.text("private_key").notNull(),
    publicKey: c.text("public_key").notNull(),
    createdAt: c.time("created_at").notNull(),
  });

  /** Opaque API keys; only a SHA-256 of the key is stored (keys are 190-bit random, so no slow hash is needed). */
  const userApiKeys = c.table(
    "user_api_keys",
    {
      id: c.text("id").primaryKey(),
      userId: c.text("user_id").notNull().references(() => userUsers.id, { onDelete: "cascade" }),
      appId: c.text("app_id").notNull(),
      name: c.text("name").notNull().default(""),
      prefix: c.text("prefix").notNull(),
      keyHash: c.text("key_hash").notNull().unique(),
      activeOrganizationId: c.text("active_organization_id"),
      createdAt: c.time("created_at").notNull(),
      updatedAt: c.time("updated_at").notNull(),
      expiresAt: c.time("expires_at"),
      lastUsedAt: c.time("last_used_at"),
      revokedAt: c.time("revoked_at"),
    },
    (t) => [c.index("user_api_keys_user").on(t.userId)],
  );

  /**
   * The login and registration limits' counters when nodes share one database (PostgreSQL; one SQLite
   * node counts in memory): one row per counted key (`<limit>:<key>`) holding its current fixed window
   * (start, events). A row whose window ended is restarted by the next event and deleted by the trim.
   */
  const userAttemptCounters = c.table(
    "user_attempt_counters",
    {
      key: c.text("key").primaryKey(),
      windowStart: c.time("window_start").notNull(),
      count: c.integer("count").notNull(),
    },
    (t) => [c.index("user_attempt_counters_window_start").on(t.windowStart)],
  );

  return { userUsers, userPasswords, userContacts, userSessions, userKeyPairs, userApiKeys, userAttemptCounters };
}

export type IdentityTables = ReturnType<typeof defineIdentityTables>;
