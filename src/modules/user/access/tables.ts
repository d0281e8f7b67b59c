/**
 * @module Access tables (drizzle): enrolls (who holds a role) and permits (who holds a permission),
 * per app (`appId`, with `"*"` meaning every app), as in 1Backend.
 */
import { sqliteTable, text, index } from "drizzle-orm/sqlite-core";
import { ms, json } from "../columns";
import { userUsers } from "../identity/tables";

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
