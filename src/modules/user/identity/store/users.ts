/** @module Users, their passwords and contacts. */
import { and, asc, count, desc, eq, gt, inArray, lt, or, type SQL } from "drizzle-orm";
import type { Db, PendingQuery } from "../../../../db/database";
import { BaseStore } from "../../base-store";
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
  async findById(id: string): Promise<UserRow | undefined> {
    const u = this.t.userUsers;
    return (await this.db.select().from(u).where(eq(u.id, id)).limit(1))[0];
  }

  async findBySlug(slug: string): Promise<UserRow | undefined> {
    const u = this.t.userUsers;
    return (await this.db.select().from(u).where(eq(u.slug, slug)).limit(1))[0];
  }

  /**
   * Inserts a user with its optional password hash and contacts, all or nothing. False when a unique
   * key (slug, id or a contact) refused it: a concurrent duplicate that the caller's checks could not see.
   * `also` adds writes to the same batch (its roles: AccessService.rolesOfNewUser).
   */
  async insert(user: UserRow, passwordHash: string | null, contacts: ContactRow[], also: (db: Db) => readonly PendingQuery[] = () => []): Promise<boolean> {
    const { userUsers, userPasswords, userContacts } = this.t;
    try {
      await this.database.batch((db) => [
        db.insert(userUsers).values(user),
        ...(passwordHash ? [db.insert(userPasswords).values({ userId: user.id, hash: passwordHash, createdAt: user.createdAt, updatedAt: user.createdAt })] : []),
        ...(contacts.length > 0 ? [db.insert(userContacts).values(contacts)] : []),
        ...also(db),
      ]);
      return true;
    } catch (err) {
      if (this.database.isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async update(id: string, changes: Partial<Pick<UserRow, "name" | "thumbnailFileId" | "labels" | "updatedAt">>): Promise<void> {
    const u = this.t.userUsers;
    await this.db.update(u).set(changes).where(eq(u.id, id));
  }

  /** Deletes the user; passwords, contacts, sessions, enrolls, memberships and keys cascade. */
  async delete(id: string): Promise<void> {
    const u = this.t.userUsers;
    await this.db.delete(u).where(eq(u.id, id));
  }

  async passwordHash(userId: string): Promise<string | null> {
    const p = this.t.userPasswords;
    return (await this.db.select({ hash: p.hash }).from(p).where(eq(p.userId, userId)).limit(1))[0]?.hash ?? null;
  }

  async setPassword(userId: string, hash: string, now: number): Promise<void> {
    const p = this.t.userPasswords;
    await this.db
      .insert(p)
      .values({ userId, hash, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: p.userId, set: { hash, updatedAt: now } });
  }

  async contactsOf(userId: string): Promise<ContactRow[]> {
    const c = this.t.userContacts;
    return this.db.select().from(c).where(eq(c.userId, userId)).orderBy(asc(c.createdAt));
  }

  async contactIdsOf(userIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (userIds.length === 0) return out;
    const c = this.t.userContacts;
    const rows = await this.db.select({ id: c.id, userId: c.userId }).from(c).where(inArray(c.userId, userIds));
    for (const r of rows) out.set(r.userId, [...(out.get(r.userId) ?? []), r.id]);
    return out;
  }

  async findContact(id: string): Promise<ContactRow | undefined> {
    const c = this.t.userContacts;
    return (await this.db.select().from(c).where(eq(c.id, id)).limit(1))[0];
  }

  async findContacts(ids: string[]): Promise<ContactRow[]> {
    const c = this.t.userContacts;
    return ids.length === 0 ? [] : this.db.select().from(c).where(inArray(c.id, ids));
  }

  async findByIds(ids: string[]): Promise<UserRow[]> {
    const u = this.t.userUsers;
    return ids.length === 0 ? [] : this.db.select().from(u).where(inArray(u.id, ids));
  }

  /** One page of users and, when asked, the total matching the filters. */
  async list(q: UserQuery, withCount: boolean): Promise<{ users: UserRow[]; count: number }> {
    const u = this.t.userUsers;
    const filters: SQL[] = [];
    if (q.ids) filters.push(inArray(u.id, q.ids));
    if (q.ownerIds) filters.push(inArray(u.id, q.ownerIds));
    if (q.search !== undefined) {
      const ids = q.searchOwnerId ? [q.search, q.searchOwnerId] : [q.search];
      filters.push(or(eq(u.slug, q.search), eq(u.name, q.search), inArray(u.id, ids))!);
    }
    const column = q.orderBy === "updatedAt" ? u.updatedAt : u.createdAt;
    const page = [...filters];
    if (q.afterTime !== undefined) page.push(q.order === "asc" ? gt(column, q.afterTime) : lt(column, q.afterTime));
    const users = await this.db
      .select()
      .from(u)
      .where(and(...page))
      .orderBy(q.order === "asc" ? asc(column) : desc(column), asc(u.id))
      .limit(q.limit);
    const total = withCount ? ((await this.db.select({ n: count() }).from(u).where(and(...filters)))[0]?.n ?? 0) : 0;
    return { users, count: total };
  }
}
