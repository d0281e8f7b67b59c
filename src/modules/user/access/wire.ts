/** @module Access rows → wire models (contracts/user/models): ISO times, empty optionals omitted. */
import type * as M from "../../../contracts/user/models";
import { isoTime } from "../../../lib/clock";
import { some, someList } from "../wire-fields";
import type { Tables } from "../../../db/database";

/** Row types of the access tables, as drizzle reads them (one type on both dialects). */
export type EnrollRow = Tables["userEnrolls"]["$inferSelect"];
export type PermitRow = Tables["userPermits"]["$inferSelect"];

/** The wire Enroll. */
export function enrollView(row: EnrollRow): M.Enroll {
  return {
    id: row.id,
    internalId: `${row.appId}:${row.id}`,
    appId: row.appId,
    role: row.role,
    userId: some(row.userId),
    contactId: some(row.contactId),
    createdBy: some(row.createdBy),
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}

/** The wire Permit. */
export function permitView(row: PermitRow): M.Permit {
  return {
    id: row.id,
    internalId: `${row.appId}:${row.id}`,
    appId: row.appId,
    permission: row.permission,
    slugs: someList(row.slugs),
    roles: someList(row.roles),
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}
