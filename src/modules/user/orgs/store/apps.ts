/**
 * @module Apps (tenants): found or created by host; `*` is not an app but "every app". Rows are
 * memoised by id; a rename records the app id in the change feed in the same batch, and the other
 * nodes forget their memo of it (contract §7; nothing is recorded on one node).
 */
import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import { FEED_TOPICS, singleNodeFeed, type ChangeFeed } from "../../../cluster/feed";
import { BaseStore, type StoreDeps } from "../../base-store";
import type { Clock } from "../../../../lib/clock";
import { newId } from "../../../../lib/ids";
import { BoundedMap } from "../../../../lib/bounded-map";
import type { AppRow } from "../wire";

/** Queries on apps, with a bounded by-id memo. */
export class AppStore extends BaseStore {
  /** Bounded: anyone can create apps (register and login take any appHost), so the memo must not grow with them. */
  private readonly byId = new BoundedMap<string, AppRow>(10_000);
  /**
   * Bumped whenever a memo entry is forgotten: a read that began before it may hold the row as it was,
   * and is then not memoised (forgetting alone would let that read put the old row back).
   */
  private forgotten = 0;

  private readonly clock: Clock;
  private readonly feed: ChangeFeed;

  constructor(deps: StoreDeps & { feed?: ChangeFeed }) {
    super(deps);
    this.clock = deps.clock;
    this.feed = deps.feed ?? singleNodeFeed;
    this.feed.subscribe(FEED_TOPICS.appChanged, (ids) => this.forget(ids));
  }

  /**
   * The app with this host, created when missing. Insert-or-ignore on the unique host, so callers
   * racing to create one host (requests, or nodes starting at once) all get the one row that won.
   */
  async getOrCreate(host: string): Promise<AppRow> {
    const found = await this.findByHost(host);
    if (found) return found;
    const { userApps } = this.t;
    const [created] = await this.db.insert(userApps).values({ id: newId("app"), host, createdAt: this.clock.now() }).onConflictDoNothing().returning();
    return created ?? (await this.findByHost(host))!;
  }

  async findByHost(host: string): Promise<AppRow | undefined> {
    const { userApps } = this.t;
    return (await this.db.select().from(userApps).where(eq(userApps.host, host)).limit(1))[0];
  }

  /** By id, memoised: app rows are tiny and read for every token view. */
  async findById(id: string): Promise<AppRow | undefined> {
    const hit = this.byId.get(id);
    if (hit) return hit;
    const { userApps } = this.t;
    const before = this.forgotten;
    const [row] = await this.db.select().from(userApps).where(eq(userApps.id, id)).limit(1);
    if (row && before === this.forgotten) this.byId.set(id, row);
    return row;
  }

  async list(ids?: string[], hosts?: string[]): Promise<AppRow[]> {
    const { userApps } = this.t;
    const where: SQL[] = [];
    if (ids) where.push(inArray(userApps.id, ids));
    if (hosts) where.push(inArray(userApps.host, hosts));
    return await this.db.select().from(userApps).where(and(...where)).orderBy(asc(userApps.createdAt), asc(userApps.id));
  }

  /**
   * Renames an app, with its feed row in the same batch: `missing` when the id is unknown (apps are
   * never deleted, so a memoised one exists), `taken` when another app holds the host (the unique
   * host refused it, e.g. a rename that raced another).
   */
  async updateHost(id: string, host: string): Promise<"renamed" | "missing" | "taken"> {
    const { userApps } = this.t;
    if (!(await this.findById(id))) return "missing";
    try {
      await this.database.batch((db) => [db.update(userApps).set({ host }).where(eq(userApps.id, id)), ...this.feed.record(db, FEED_TOPICS.appChanged, [id])]);
    } catch (err) {
      if (this.database.isUniqueViolation(err)) return "taken";
      throw err;
    } finally {
      this.forget([id]);
    }
    return "renamed";
  }

  /** Drops memoised apps (renamed here or on another node); the next read by id reads the row again. */
  private forget(ids: readonly string[]): void {
    this.forgotten++;
    for (const id of ids) this.byId.delete(id);
  }
}
