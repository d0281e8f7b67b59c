/**
 * @module TOTP table (issue 14): a user's second factor and at most one setup waiting for its first
 * code. The secret is sealed with SecretBox (AES-256-GCM under OB_ENCRYPTION_KEY, the row id as
 * associated data), never stored in clear. `last_step` is the newest RFC 6238 time step accepted for the
 * row: a code is accepted only for a later step, by one conditional UPDATE, so a code is used once even
 * when two nodes check it at the same time.
 */
import type { ColumnKit } from "../../../../db/columns";
import type { IdentityTables } from "../tables";

/** `user_totps`: one row per user and state (one enabled factor, one pending setup at most). */
export function defineTotpTables(c: ColumnKit, identity: IdentityTables) {
  const userTotps = c.table(
    "user_totps",
    {
      id: c.text("id").primaryKey(),
      userId: c.text("user_id").notNull().references(() => identity.userUsers.id, { onDelete: "cascade" }),
      sealedSecret: c.text("sealed_secret").notNull(),
      issuer: c.text("issuer").notNull(),
      accountName: c.text("account_name").notNull(),
      enabled: c.boolean("enabled").notNull(),
      lastStep: c.time("last_step"),
      createdAt: c.time("created_at").notNull(),
      enabledAt: c.time("enabled_at"),
    },
    (t) => [c.index("user_totps_user").on(t.userId, t.enabled)],
  );
  return { userTotps };
}
