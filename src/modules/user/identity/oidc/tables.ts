/**
 * @module OIDC sign-in's table: the states consumed by a callback. A state travels sealed (it is checked
 * by whichever node the callback reaches); its id is written here once when it is used, so a second
 * callback with the same state is refused on every node. Rows are deleted once the state has expired.
 */
import type { ColumnKit } from "../../../../db/columns";

/** The consumed OIDC states for one dialect and prefix. */
export function defineOidcTables(c: ColumnKit) {
  const userOidcStates = c.table(
    "user_oidc_states",
    {
      id: c.text("id").primaryKey(),
      expiresAt: c.time("expires_at").notNull(),
    },
    (t) => [c.index("user_oidc_states_expires_at").on(t.expiresAt)],
  );
  return { userOidcStates };
}
