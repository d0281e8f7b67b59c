/** @module Small rules the three concerns share: contact ids, times in requests, ids a lookup did not find. */
import { invalidTime } from "./errors";

/** `Plus-Test+123@Test.com` → `plus-test@test.com` (reference §2.4); other ids unchanged. */
export function normaliseContactId(id: string): string {
  const parts = id.split("@");
  if (parts.length !== 2) return id;
  const local = parts[0]!.split("+")[0]!;
  return `${local}@${parts[1]}`.toLowerCase();
}

/** Parses an RFC 3339 time from a request; 400 naming the field when invalid. */
export function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidTime(field, "expected an RFC 3339 time");
  return ms;
}

/** The first of `ids` that no row has (the 404 names it), or undefined when every id was found. */
export function firstMissingId(ids: string[], rows: { id: string }[]): string | undefined {
  const found = new Set(rows.map((r) => r.id));
  return ids.find((id) => !found.has(id));
}
