/**
 * @module Access tables (drizzle, both dialects through the column kit): enrolls (who holds a role)
 * and permits (who holds a permission), per app (`appId`, with `"*"` meaning every app), as in 1Backend.
 */
import type { ColumnKit } from "../../../db/columns";
import type { IdentityTables } from "../identity/tables";

/** The access tables for one dialect and prefix; enrolls reference the identity tables' users. */
export function defineAccessTables(c: ColumnKit, { userUsers }: Pick<IdentityTables, "userUsers">) {
  /** Role assignments: to a user directly, or pending on a contact (whoever owns it, now or later). */
  const userEnrolls = c.table(
    "user_enrolls",
    {
      id: c.text("id").primaryKey(),
      appId: c.text("app_id").notNull(),
      role: c.text("role").notNull(),
      userId: c.text("user_id").references(() => userUsers.id, { onDelete: "cascade" }),
      contactId: c.text("contact_id"),
      createdBy: c.text("created_by"),
      createdAt: c.time("created_at").notNull(),
      updatedAt: c.time("updated_at").notNull(),
    },
    (t) => [c.index("user_enrolls_user").on(t.userId), c.index("user_enrolls_contact").on(t.contactId), c.index("user_enrolls_role").on(t.role)],
  );

  /** Grants of a permission to slugs and/or roles in one app or every app (`*`). */
  const userPermits = c.table("user_permits", {
    id: c.text("id").primaryKey(),
    appId: c.text("app_id").notNull(),
    permission: c.text("permission").notNull(),
    slugs: c.json<string[]>("slugs", []),
    roles: c.json<string[]>("roles", []),
    createdAt: c.time("created_at").notNull(),
    updatedAt: c.time("updated_at").notNull(),
  });

  return { userEnrolls, userPermits };
}
