/** @module Rows → wire models (contracts/user/models): ISO times, empty optionals omitted like Go's `omitempty`. */
import type * as M from "../../contracts/user/models";
import { isoTime } from "../../lib/clock";
import type { userApiKeys, userApps, userContacts, userEnrolls, userMemberships, userOrganizations, userPermits, userSessions, userUsers } from "./tables";

/** Row types of the User Svc tables, as drizzle reads them. */
export type AppRow = typeof userApps.$inferSelect;
export type UserRow = typeof userUsers.$inferSelect;
export type ContactRow = typeof userContacts.$inferSelect;
export type SessionRow = typeof userSessions.$inferSelect;
export type EnrollRow = typeof userEnrolls.$inferSelect;
export type PermitRow = typeof userPermits.$inferSelect;
export type OrganizationRow = typeof userOrganizations.$inferSelect;
export type MembershipRow = typeof userMemberships.$inferSelect;
export type ApiKeyRow = typeof userApiKeys.$inferSelect;

const some = <T>(value: T | null | undefined | "") => (value === null || value === "" ? undefined : value);
const someTime = (ms: number | null | undefined) => (ms == null ? undefined : isoTime(ms));
const someList = (list: string[]) => (list.length > 0 ? list : undefined);

/** The wire App. */
export const appView = (row: AppRow): M.App => ({ id: row.id, host: row.host });

/** The wire Token (with its app, when known). */
export function tokenView(row: SessionRow, app: AppRow | undefined): M.Token {
  return {
    id: row.id,
    internalId: `${row.appId}:${row.id}`,
    appId: row.appId,
    userId: row.userId,
    device: row.device,
    token: row.token,
    active: row.active || undefined,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.lastRefreshedAt ?? row.createdAt),
    expiresAt: isoTime(row.expiresAt),
    lastRefreshedAt: someTime(row.lastRefreshedAt),
    app: app ? appView(app) : undefined,
  };
}

/** The wire User. */
export function userView(row: UserRow): M.User {
  return {
    id: row.id,
    slug: row.slug,
    name: some(row.name),
    thumbnailFileId: some(row.thumbnailFileId),
    labels: Object.keys(row.labels).length > 0 ? row.labels : undefined,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}

/** The wire UserRecord (list-users item). */
export function userRecordView(row: UserRow, contactIds: string[]): M.UserRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: some(row.name),
    contactIds: someList(contactIds),
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}

/** The wire Contact. */
export function contactView(row: ContactRow): M.Contact {
  return {
    id: row.id,
    userId: row.userId,
    platform: row.platform,
    handle: "",
    verified: row.verified || undefined,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}

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

/** The wire ApiKeyView. */
export function apiKeyView(row: ApiKeyRow): M.ApiKeyView {
  return {
    id: row.id,
    userId: row.userId,
    appId: row.appId,
    name: some(row.name),
    prefix: row.prefix,
    activeOrganizationId: some(row.activeOrganizationId),
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
    expiresAt: someTime(row.expiresAt),
    lastUsedAt: someTime(row.lastUsedAt),
    revokedAt: someTime(row.revokedAt),
  };
}
