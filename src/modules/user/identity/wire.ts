/** @module Identity rows → wire models (contracts/user/models): ISO times, empty optionals omitted. */
import type * as M from "../../../contracts/user/models";
import { isoTime } from "../../../lib/clock";
import { some, someList, someTime } from "../wire-fields";
import { appView, type AppRow } from "../orgs/wire";
import type { Tables } from "../../../db/database";

/** Row types of the identity tables, as drizzle reads them (one type on both dialects). */
export type UserRow = Tables["userUsers"]["$inferSelect"];
export type ContactRow = Tables["userContacts"]["$inferSelect"];
export type SessionRow = Tables["userSessions"]["$inferSelect"];
export type ApiKeyRow = Tables["userApiKeys"]["$inferSelect"];

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
