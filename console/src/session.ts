/**
 * @module The signed-in session: the token, who it belongs to and what it may do — in memory only
 * (never localStorage, sessionStorage or cookies: a token there outlives the tab and is readable by any
 * script of the origin). A reload signs out, which is the price of that. Screens read it through
 * `useSession()` and ask `can(permission)` before showing an action.
 */
import { useEffect, useState } from "preact/hooks";
import type { TokenClaims } from "../../src/contracts/user/token-claims";

/** The admin role (src/modules/user/access/permissions.ts ROLE_ADMIN): holds every permission. */
export const ROLE_ADMIN = "user-svc:admin";

/** A signed-in user as the console knows it. */
export interface Session {
  token: string;
  userId: string;
  slug: string;
  roles: readonly string[];
  isAdmin: boolean;
  /** Permissions granted to the user's roles (POST /user-svc/permissions), loaded at sign-in. */
  permissions: ReadonlySet<string>;
  /** Expiry of the token (ms since epoch). */
  expiresAt: number;
  /** The token's lifetime (exp − iat, ms): how early to refresh it depends on it. */
  lifetimeMs: number;
}

let current: Session | undefined;
const listeners = new Set<() => void>();

/** The current session, or undefined when signed out. */
export function session(): Session | undefined {
  return current;
}

/** Decodes a JWT's payload (no verification: the server verifies every call; this only reads who it is). */
export function readClaims(token: string): TokenClaims {
  const part = token.split(".")[1] ?? "";
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as TokenClaims;
}

/** Starts (or replaces, after a refresh) the session for `token`. */
export function setSession(token: string, permissions: Iterable<string> = current?.permissions ?? []): Session {
  const claims = readClaims(token);
  const roles = claims["1ro"] ?? [];
  current = {
    token,
    userId: claims["1ui"],
    slug: claims["1sl"],
    roles,
    isAdmin: roles.includes(ROLE_ADMIN),
    permissions: new Set(permissions),
    expiresAt: claims.exp * 1000,
    lifetimeMs: (claims.exp - claims.iat) * 1000,
  };
  notify();
  return current;
}

/** Forgets the session (sign-out, or the server refused the token). */
export function clearSession(): void {
  current = undefined;
  notify();
}

/** Whether the signed-in user holds `permission` (admins hold all). Screens hide what this denies. */
export function can(permission: string): boolean {
  if (!current) return false;
  return current.isAdmin || current.permissions.has(permission);
}

/** The session, re-rendering the component when it changes. */
export function useSession(): Session | undefined {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return current;
}

function notify(): void {
  for (const listener of listeners) listener();
}
