/** @module Users, their passwords and contacts. */
import { and, asc, count, desc, eq, gt, inArray, lt, or, type SQL } from "drizzle-orm";
import { BaseStore, type StoreDeps } from "../../base-store";
import { userContacts, userPasswords, userUsers } from "../tables";
import type { ContactRow, UserRow } from "../wire";

/** Filters of `POST /user-svc/users`, already defaulted. */
export interface UserQuery {
  ids?: string[];
  search?: string;
  /** Owner of the contact named by `search`, which also matches. */
  searchOwnerId?: string;
  ownerIds?: string[];
  limit: number;
  afterTime?: number;
  order: "asc" | "desc";
  orderBy: "createdAt" | "updatedAt";
}

/** Queries on users, passwords and contacts. */
export class UserStore extends BaseStore {

  findById(id: string): UserRow | undefined {
    return this.db.select().from(userUsers).where(eq(userUsers.id, id)).get();
  }

  findBySlug(slug: string): UserRow | undefined {
    return this.db.select().from(userUsers).where(eq(userUsers.slug, slug)).get();
  }

  /** Inserts a user with its optional password hash and contacts, atomically. */
  insert(user: UserRow, passwordHash: string | null, contacts: ContactRow[]): void {
    this.db.transaction((tx) => {
      tx.insert(userUsers).values(user).run();
      if (passwordHash) tx.insert(userPasswords).values({ userId: user.id, hash: passwordHash, createdAt: user.createdAt, updatedAt: user.createdAt }).run();
      if (contacts.length > 0) tx.insert(userContacts).values(contacts).run();
    });
  }

  update(id: string, changes: Partial<Pick<UserRow, "name" | "thumbnailFileId" | "labels" | "updatedAt">>): void {
    this.db.update(userUsers).set(changes).where(eq(userUsers.id, id)).run();
  }

  /** Deletes the user; passwords, contacts, sessions, enrolls, memberships and keys cascade. */
  delete(id: string): void {
    this.db.delete(userUsers).where(eq(userUsers.id, id)).run();
  }

  passwordHash(userId: string): string | null {
    return this.db.select({ hash: userPasswords.hash }).from(userPasswords).where(eq(userPasswords.userId, userId)).get()?.hash ?? null;
  }

  setPassword(userId: string, hash: string, now: number): void {
    this.db
      .insert(userPasswords)
      .values({ userId, hash, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: userPasswords.userId, set: { hash, updatedAt: now } })
      .run();
  }

  contactsOf(userId: string): ContactRow[] {
    return this.db.select().from(userContacts).where(eq(userContacts.userId, userId)).orderBy(asc(userContacts.createdAt)).all();
  }

  contactIdsOf(userIds: string[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (userIds.length === 0) return out;
    const rows = this.db.select({ id: userContacts.id, userId: userContacts.userId }).from(userContacts).where(inArray(userContacts.userId, userIds)).all();
    for (const r of rows) out.set(r.userId, [...(out.get(r.userId) ?? []), r.id]);
    return out;
  }

  findContact(id: string): ContactRow | undefined {
    return this.db.select().from(userContacts).where(eq(userContacts.id, id)).get();
  }

  findContacts(ids: string[]): ContactRow[] {
    return ids.length === 0 ? [] : this.db.select().from(userContacts).where(inArray(userContacts.id, ids)).all();
  }

  findByIds(ids: string[]): UserRow[] {
    return ids.length === 0 ? [] : this.db.select().from(userUsers).where(inArray(userUsers.id, ids)).all();
  }

  /** One page of users and, when asked, the total matching the filters. */
  list(q: UserQuery, withCount: boolean): { users: UserRow[]; count: number } {
    const filters: SQL[] = [];
    if (q.ids) filters.push(inArray(userUsers.id, q.ids));
    if (q.ownerIds) filters.push(inArray(userUsers.id, q.ownerIds));
    if (q.search !== undefined) {
      const ids = q.searchOwnerId ? [q.search, q.searchOwnerId] : [q.search];
      filters.push(or(eq(userUsers.slug, q.search), eq(userUsers.name, q.search), inArray(userUsers.id, ids))!);
    }
    const column = q.orderBy === "updatedAt" ? userUsers.updatedAt : userUsers.createdAt;
    const page = [...filters];
    if (q.afterTime !== undefined) page.push(q.order === "asc" ? gt(column, q.afterTime) : lt(column, q.afterTime));
    const users = this.db
      .select()
      .from(userUsers)
      .where(and(...page))
      .orderBy(q.order === "asc" ? asc(column) : desc(column), asc(userUsers.id))
      .limit(q.limit)
      .all();
    const total = withCount ? (this.db.select({ n: count() }).from(userUsers).where(and(...filters)).get()?.n ?? 0) : 0;
    return { users, count: total };
  }
}
