/** @module Tenant rows → wire models (contracts/user/models): ISO times, empty optionals omitted. */
import type * as M from "../../../contracts/user/models";
import { isoTime } from "../../../lib/clock";
import { some, someList, someTime } from "../wire-fields";
import type { Tables } from "../../../db/database";

/** Row types of the tenant tables, as drizzle reads them (one type on both dialects). */
export type AppRow = Tables["userApps"]["$inferSelect"];
export type OrganizationRow = Tables["userOrganizations"]["$inferSelect"];
export type MembershipRow = Tables["userMemberships"]["$inferSelect"];

/** The wire App. */
export const appView = (row: AppRow): M.App => ({ id: row.id, host: row.host });

/** The wire Organization. */
export function organizationView(row: OrganizationRow): M.Organization {
  return {
    id: row.id,
    appId: row.appId,
    slug: row.slug,
    name: row.name,
    thumbnailFileId: some(row.thumbnailFileId),
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}

/** The wire Membership. */
export function membershipView(row: MembershipRow): M.Membership {
  return {
    id: row.id,
    appId: row.appId,
    organizationId: row.organizationId,
    userId: row.userId,
    status: row.status,
    roles: someList(row.roles),
    invitedBy: some(row.invitedBy),
    acceptedAt: someTime(row.acceptedAt),
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}
