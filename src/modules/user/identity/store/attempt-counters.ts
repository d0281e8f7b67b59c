/**
 * @module Fixed-window counters in the database (`user_attempt_counters`), for the login and
 * registration limits of nodes that share one PostgreSQL (contract §7: limits hold cluster-wide; one
 * SQLite node counts in memory, lib/rate-limit.ts). A row per key holds its current window: its start
 * and its events. A window is live while `now - start < windowMs`, as in memory; the next event at a
 * key whose window ended starts a new one.
 *
 * Each change is ONE statement, an upsert over every key it touches, so counting an attempt at three
 * keys is one round trip, and it is atomic per key: the row lock orders concurrent events, and each
 * sees the count with its own event and every earlier one (RETURNING), however many nodes send them.
 * The keys go in sorted order, so concurrent statements lock shared rows in one order and cannot
 * deadlock. Times are the caller's clock (each node's), so windows agree between nodes as far as their
 * clocks do. Rows of ended windows are deleted by {@link AttemptCounterStore.trim}.
 */
import { and, gt, inArray, lte, sql, type SQL } from "drizzle-orm";
import { BaseStore, type StoreDeps } from "../../base-store";

/** A key's window after a change: the events counted in it (the change included) and when it began. */
export interface CounterWindow {
  count: number;
  start: number;
}

/** Queries on `user_attempt_counters`; every counter has the window `windowMs`. */
export class AttemptCounterStore extends BaseStore {
  readonly windowMs: number;

  constructor(deps: StoreDeps & { windowMs?: number }) {
    super(deps);
    this.windowMs = deps.windowMs ?? 60_000;
  }

  /** Counts one event at each key (distinct keys), at `now`; answers each key's window with the event counted. */
  async add(keys: readonly string[], now: number): Promise<Map<string, CounterWindow>> {
    const c = this.t.userAttemptCounters;
    const ended = sql`${c.windowStart} <= ${now - this.windowMs}`;
    const rows = await this.db
      .insert(c)
      .values(sorted(keys).map((key) => ({ key, windowStart: now, count: 1 })))
      .onConflictDoUpdate({
        target: c.key,
        set: {
          windowStart: sql`case when ${ended} then excluded.window_start else ${c.windowStart} end`,
          count: sql`case when ${ended} then 1 else ${c.count} + 1 end`,
        },
      })
      .returning({ key: c.key, start: c.windowStart, count: c.count });
    return new Map(rows.map((r) => [r.key, { count: Number(r.count), start: Number(r.start) }]));
  }

  /**
   * In one statement: takes back one event at each of `keys` that was counted at `at`, unless that
   * key's window has ended or restarted since, and forgets the windows of `forget` (no count, no window).
   */
  async takeBack(keys: readonly string[], at: number, now: number, forget: readonly string[] = []): Promise<void> {
    const all = sorted([...keys, ...forget]);
    if (all.length === 0) return;
    const c = this.t.userAttemptCounters;
    const forgotten: SQL = forget.length > 0 ? inArray(c.key, [...forget]) : sql`false`;
    const counted = and(lte(c.windowStart, at), gt(c.windowStart, now - this.windowMs), gt(c.count, 0));
    // A window that has ended by `now`: what a forgotten key is left with, and what a key trimmed
    // meanwhile comes back as (an upsert rather than an UPDATE … IN (…) only for its lock order, the
    // module comment), for the next event to restart and the next trim to delete.
    const ended = now - this.windowMs;
    await this.db
      .insert(c)
      .values(all.map((key) => ({ key, windowStart: ended, count: 0 })))
      .onConflictDoUpdate({
        target: c.key,
        set: {
          windowStart: sql`case when ${forgotten} then ${ended} else ${c.windowStart} end`,
          count: sql`case when ${forgotten} then 0 when ${counted} then ${c.count} - 1 else ${c.count} end`,
        },
      });
  }

  /** Deletes the rows whose window has ended at `now` (any node may: deleting twice deletes nothing); answers how many. */
  async trim(now: number): Promise<number> {
    const c = this.t.userAttemptCounters;
    return (await this.db.delete(c).where(lte(c.windowStart, now - this.windowMs)).returning({ key: c.key })).length;
  }

  /** Rows stored (tests: the table stays bounded). */
  async size(): Promise<number> {
    const c = this.t.userAttemptCounters;
    return (await this.db.select({ key: c.key }).from(c)).length;
  }
}

/** Keys in one order for every statement (code-unit order; any total order would do). */
const sorted = (keys: readonly string[]) => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
