/**
 * @module OIDC sign-in's tables: what is accepted once, written the first time it is used so that a
 * second use is refused on every node. `user_oidc_states`: the states consumed by a callback (a state
 * travels sealed and is checked by whichever node the callback reaches). `user_oidc_tokens`: the ID
 * tokens a native app signed in with (contactAuthLogin). Rows are deleted once what they name expired.
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
  // The id is a hash (of issuer and jti, or of the whole token), never the token: a row reveals nothing.
  const userOidcTokens = c.table(
    "user_oidc_tokens",
    {
      id: c.text("id").primaryKey(),
      expiresAt: c.time("expires_at").notNull(),
    },
    (t) => [c.index("user_oidc_tokens_expires_at").on(t.expiresAt)],
  );
  return { userOidcStates, userOidcTokens };
}
