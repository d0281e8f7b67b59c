/** @module Small shared rules of the User Svc: slugs, passwords, emails, constraint errors. */
import { invalidTime, passwordTooShort, slugReserved } from "./errors";
import { MIN_PASSWORD_LENGTH } from "./identity/passwords";
import { RESERVED_SLUGS } from "./access/permissions";

/** Default app host of 1Backend. */
export const DEFAULT_APP_HOST = "unnamed";

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

/** `Plus-Test+123@Test.com` → `plus-test@test.com` (reference §2.4); other ids unchanged. */
export function normaliseContactId(id: string): string {
  const parts = id.split("@");
  if (parts.length !== 2) return id;
  const local = parts[0]!.split("+")[0]!;
  return `${local}@${parts[1]}`.toLowerCase();
}

/** Whether a database error is a UNIQUE/PRIMARY KEY violation (a concurrent duplicate). */
export function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && (e.code.startsWith("SQLITE_CONSTRAINT_UNIQUE") || e.code.startsWith("SQLITE_CONSTRAINT_PRIMARYKEY"))) return true;
  }
  return false;
}

/** Parses an RFC 3339 time from a request; 400 naming the field when invalid. */
export function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidTime(field, "expected an RFC 3339 time");
  return ms;
}
