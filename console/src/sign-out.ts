/** @module Sign-out: revokes this tab's session on the server (its device), then forgets it here. */
import { api } from "./api";
import { clearSession, session } from "./session";

/** Device name of this tab's sessions: one per tab, so signing out here leaves other tabs signed in. */
export const DEVICE = `console:${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(16)}`;

/** Ends the session; the server's revocation is best effort (the token is dropped either way). */
export async function signOut(): Promise<void> {
  if (session()) {
    try {
      await api("DELETE", "/user-svc/tokens", { device: DEVICE });
    } catch {
      // already revoked or unreachable: signing out here still works
    }
  }
  clearSession();
}
