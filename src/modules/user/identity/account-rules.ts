/** @module Rules of accounts (contract §3): which slugs may be registered, how long a new password must be, how attempts are keyed. */
import { BUILT_IN_SEGMENTS } from "../../../http/built-in-paths";
import { passwordTooShort, slugReserved } from "../errors";
import { MIN_PASSWORD_LENGTH } from "./passwords";

/**
 * Slugs nobody may register (contract §3): every built-in first path segment (a service under one
 * could never be proxied), plus names kept for the platform: its other services and common paths.
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  ...BUILT_IN_SEGMENTS,
  "openapi-json",
  "api",
  "admin",
  "docs",
  "static",
  "assets",
  "favicon",
  "well-known",
  "config-svc",
  "secret-svc",
  "file-svc",
  "policy-svc",
  "email-svc",
]);

/** Refuses reserved slugs (contract §3); the pattern itself is enforced by the request schema. */
export function assertSlugAvailable(slug: string): void {
  if (RESERVED_SLUGS.has(slug)) throw slugReserved(slug);
}

/** New passwords need at least {@link MIN_PASSWORD_LENGTH} characters (contract §3). */
export function assertNewPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw passwordTooShort(MIN_PASSWORD_LENGTH);
}

/** The per-account key of the login limiter, shared by logins by slug, by contact and password changes. */
export const accountAttemptKey = (userId: string) => `user:${userId}`;
