/**
 * @module The one-time codes sent by e-mail (`sendOtp`), in the database so that any node can check a
 * code another node sent. Only a hash of the code is stored; a row is good for 10 minutes, for one
 * successful use and for at most 5 attempts (counted in the row, atomically, whichever node checks).
 */
import type { ColumnKit } from "../../../../db/columns";

/** The OTP table for one dialect and prefix. */
export function defineOtpTables(c: ColumnKit) {
  const userOtps = c.table(
    "user_otps",
    {
      id: c.text("id").primaryKey(),
      /** The normalised contact (rules.ts normaliseContactId) the code was sent to: it redeems only for it. */
      contactId: c.text("contact_id").notNull(),
      platform: c.text("platform").notNull(),
      codeHash: c.text("code_hash").notNull(),
      attempts: c.integer("attempts").notNull().default(0),
      createdAt: c.time("created_at").notNull(),
      expiresAt: c.time("expires_at").notNull(),
      usedAt: c.time("used_at"),
    },
    (t) => [c.index("user_otps_expires_at").on(t.expiresAt)],
  );
  return { userOtps };
}
