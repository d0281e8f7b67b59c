/** @module Queries on `user_totps` (tables.ts). */
import { and, eq, inArray, isNull, lt, ne, or } from "drizzle-orm";
import { BaseStore } from "../../base-store";
import type { Tables } from "../../../../db/database";

export type TotpRow = Tables["userTotps"]["$inferSelect"];

/** The factor and pending setups of users. */
export class TotpStore extends BaseStore {
  async active(userId: string): Promise<TotpRow | undefined> {
    const x = this.t.userTotps;
    return (await this.db.select().from(x).where(and(eq(x.userId, userId), eq(x.enabled, true))).limit(1))[0];
  }

  /** Whether each of `userIds` has an enabled factor. */
  async enabledAmong(userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const x = this.t.userTotps;
    const rows = await this.db.select({ userId: x.userId }).from(x).where(and(inArray(x.userId, userIds), eq(x.enabled, true)));
    return new Set(rows.map((r) => r.userId));
  }

  async pending(userId: string, id?: string): Promise<TotpRow | undefined> {
    const x = this.t.userTotps;
    const parts = [eq(x.userId, userId), eq(x.enabled, false)];
    if (id) parts.push(eq(x.id, id));
    return (await this.db.select().from(x).where(and(...parts)).limit(1))[0];
  }

  /** Stores a new pending setup, replacing the user's earlier one (its secret is not retrievable any more). */
  async insertPending(row: TotpRow): Promise<void> {
    const x = this.t.userTotps;
    await this.database.batch((db) => [db.delete(x).where(and(eq(x.userId, row.userId), eq(x.enabled, false))), db.insert(x).values(row)]);
  }

  /**
   * Records `step` as used on the row, unless that step or a later one was used already: true when this
   * call won the step (the code is accepted), false for a replay. One statement, so it holds across nodes.
   */
  async consumeStep(id: string, step: number): Promise<boolean> {
    const x = this.t.userTotps;
    const won = await this.db.update(x).set({ lastStep: step }).where(and(eq(x.id, id), or(isNull(x.lastStep), lt(x.lastStep, step)))).returning({ id: x.id });
    return won.length > 0;
  }

  /** Makes the pending row the user's factor; every other row of the user goes. */
  async enable(userId: string, id: string, now: number): Promise<void> {
    const x = this.t.userTotps;
    await this.database.batch((db) => [db.delete(x).where(and(eq(x.userId, userId), ne(x.id, id))), db.update(x).set({ enabled: true, enabledAt: now }).where(eq(x.id, id))]);
  }

  async remove(id: string): Promise<void> {
    const x = this.t.userTotps;
    await this.db.delete(x).where(eq(x.id, id));
  }
}
