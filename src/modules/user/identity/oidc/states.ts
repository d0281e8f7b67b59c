/**
 * @module The sign-in state of one start → callback round trip. It travels sealed (lib/secret-box.ts,
 * AES-256-GCM under OB_ENCRYPTION_KEY) as the `state` parameter, so any node can open it and nothing
 * is written at start; it holds the nonce, the PKCE verifier, what the start asked for, its expiry and
 * the hash of a random value set as a cookie in the starting browser, so a callback is only accepted in
 * the browser that started it (no login CSRF, 1Backend bound nothing, reference §C.7). A callback
 * consumes it by writing its id into `user_oidc_states` (one insert, unique id): a second callback
 * with it is refused whichever node it reaches.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { lt } from "drizzle-orm";
import { SecretBox, SecretBoxError } from "../../../../lib/secret-box";
import type { Db, Tables } from "../../../../db/database";
import { BaseStore } from "../../base-store";
import { oidcStateInvalid } from "../../errors";

/** How long a started sign-in may take (1Backend: 10 minutes). */
export const STATE_TTL_MS = 10 * 60_000;
/** The cookie binding a state to the browser; scoped to the contact-auth paths. */
export const STATE_COOKIE = "ob_oidc_binding";
const CONTEXT = "user-oidc-state";

/** What a start hands to its callback. */
export interface SignInState {
  /** Random id, consumed once. */
  id: string;
  provider: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  appHost: string;
  device?: string;
  slug?: string;
  returnTo?: string;
  expiresAt: number;
  /** SHA-256 (base64url) of the browser's cookie value. */
  binding: string;
}

export const randomToken = (bytes = 32) => randomBytes(bytes).toString("base64url");
export const sha256 = (value: string) => createHash("sha256").update(value).digest("base64url");

/** Seals and opens states under one key (every node of a cluster needs the same OB_ENCRYPTION_KEY). */
export class StateSealer {
  constructor(private readonly box: SecretBox) {}

  seal(state: SignInState): string {
    return this.box.seal(JSON.stringify(state), CONTEXT);
  }

  /** The state of `sealed`, checked for provider, expiry and browser; 401 `user.oidc_state_invalid` otherwise. */
  open(sealed: string, provider: string, cookie: string | undefined, now: number): SignInState {
    let state: SignInState;
    try {
      state = JSON.parse(this.box.open(sealed, CONTEXT)) as SignInState;
    } catch (err) {
      if (err instanceof SecretBoxError || err instanceof SyntaxError) throw oidcStateInvalid("not issued by this server or altered");
      throw err;
    }
    if (state.provider !== provider) throw oidcStateInvalid("started for another provider");
    if (!(state.expiresAt > now)) throw oidcStateInvalid("expired");
    if (!cookie || !equal(sha256(cookie), state.binding)) throw oidcStateInvalid("not started in this browser");
    return state;
  }
}

const equal = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** A table of things used once (oidc/tables.ts): an id, kept until `expiresAt`. */
type OnceTable = Tables["userOidcStates"] | Tables["userOidcTokens"];

/**
 * True for the first caller with `id` in `table`, false for every later one on any node (one insert
 * against the unique id); expired rows are swept first, so the table holds only what is still live.
 */
export async function useOnce(db: Db, table: OnceTable, id: string, expiresAt: number, now: number): Promise<boolean> {
  // A minute past expiry, so a node whose clock is behind never sees a thing as live whose row is gone.
  await db.delete(table).where(lt(table.expiresAt, now - 60_000));
  const rows = await db.insert(table).values({ id, expiresAt }).onConflictDoNothing().returning({ id: table.id });
  return rows.length === 1;
}

/** Consumed state ids (`user_oidc_states`). */
export class OidcStateStore extends BaseStore {
  /** True for the first caller with `id`, false for every later one (on any node); expired rows go first. */
  consume(id: string, expiresAt: number, now: number): Promise<boolean> {
    return useOnce(this.db, this.t.userOidcStates, id, expiresAt, now);
  }
}
