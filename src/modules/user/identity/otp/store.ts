/**
 * @module Queries on `user_otps` (tables.ts). Every check is atomic in the database, so nodes sharing
 * PostgreSQL agree: an attempt is counted by one UPDATE that only matches a live row (unused, not
 * expired, under the attempt limit), and a right code is used up by one UPDATE that only matches an
 * unused row, so two parallel redemptions of one code cannot both succeed.
 */
import { and, eq, gt, isNull, lt, lte, sql } from "drizzle-orm";
import { BaseStore } from "../../base-store";

/** A stored code, as sendOtp writes it. */
export interface OtpRow {
  id: string;
  contactId: string;
  platform: string;
  codeHash: string;
  attempts: number;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/** Why a code cannot be tried (any more). */
export type OtpState = "missing" | "used" | "expired" | "exhausted";

export class OtpStore extends BaseStore {
  async insert(row: OtpRow): Promise<void> {
    await this.db.insert(this.t.userOtps).values(row);
  }

  async delete(id: string): Promise<void> {
    await this.db.delete(this.t.userOtps).where(eq(this.t.userOtps.id, id));
  }

  /**
   * Counts an attempt at code `id` for `contactId` if it may still be tried at `now`: answers its hash,
   * or, when it may not, why (read after the refused update).
   */
  async attempt(id: string, contactId: string, now: number, maxAttempts: number): Promise<{ codeHash: string } | { refused: OtpState }> {
    const o = this.t.userOtps;
    const [row] = await this.db
      .update(o)
      .set({ attempts: sql`${o.attempts} + 1` })
      .where(and(eq(o.id, id), eq(o.contactId, contactId), isNull(o.usedAt), gt(o.expiresAt, now), lt(o.attempts, maxAttempts)))
      .returning({ codeHash: o.codeHash });
    if (row) return row;
    const [found] = await this.db.select().from(o).where(and(eq(o.id, id), eq(o.contactId, contactId)));
    if (!found) return { refused: "missing" };
    if (found.usedAt !== null) return { refused: "used" };
    if (found.expiresAt <= now) return { refused: "expired" };
    return { refused: "exhausted" };
  }

  /** Uses up code `id` at `now`; false when another redemption used it first. */
  async use(id: string, now: number): Promise<boolean> {
    const o = this.t.userOtps;
    const rows = await this.db.update(o).set({ usedAt: now }).where(and(eq(o.id, id), isNull(o.usedAt))).returning({ id: o.id });
    return rows.length > 0;
  }

  /** Deletes codes that expired before `before` (they can only answer "expired"); answers how many. */
  async trim(before: number): Promise<number> {
    const o = this.t.userOtps;
    return (await this.db.delete(o).where(lte(o.expiresAt, before)).returning({ id: o.id })).length;
  }

  /** Marks the contact (of some user) verified; true when it was not (its pending enrolls apply from now on). */
  async markContactVerified(contactId: string, now: number): Promise<boolean> {
    const c = this.t.userContacts;
    const rows = await this.db.update(c).set({ verified: true, updatedAt: now }).where(and(eq(c.id, contactId), eq(c.verified, false))).returning({ id: c.id });
    return rows.length > 0;
  }
}
