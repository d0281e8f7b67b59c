/** @module Apps (tenants): found or created by host; `*` is not an app but "every app". */
import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import { BaseStore, type StoreDeps } from "../../base-store";
import type { Clock } from "../../../../lib/clock";
import { newId } from "../../../../lib/ids";
import { BoundedMap } from "../../../../lib/bounded-map";
import { userApps } from "../tables";
import type { AppRow } from "../wire";

/** Queries on apps, with a bounded by-id memo. */
export class AppStore extends BaseStore {
  /** Bounded: anyone can create apps (register and login take any appHost), so the memo must not grow with them. */
  private readonly byId = new BoundedMap<string, AppRow>(10_000);

  private readonly clock: Clock;

  constructor(deps: StoreDeps) {
    super(deps);
    this.clock = deps.clock;
  }

  /** The app with this host, created when missing. */
  getOrCreate(host: string): AppRow {
    const found = this.findByHost(host);
    if (found) return found;
    const row: AppRow = { id: newId("app"), host, createdAt: this.clock.now() };
    this.db.insert(userApps).values(row).onConflictDoNothing().run();
    return this.findByHost(host)!;
  }

  findByHost(host: string): AppRow | undefined {
    return this.db.select().from(userApps).where(eq(userApps.host, host)).get();
  }

  /** By id, memoised: app rows are tiny and read for every token view. */
  findById(id: string): AppRow | undefined {
    let row = this.byId.get(id);
    if (!row) {
      row = this.db.select().from(userApps).where(eq(userApps.id, id)).get();
      if (row) this.byId.set(id, row);
    }
    return row;
  }

  list(ids?: string[], hosts?: string[]): AppRow[] {
    const where: SQL[] = [];
    if (ids) where.push(inArray(userApps.id, ids));
    if (hosts) where.push(inArray(userApps.host, hosts));
    return this.db.select().from(userApps).where(and(...where)).orderBy(asc(userApps.createdAt), asc(userApps.id)).all();
  }

  /** Renames an app; false when the id is unknown. */
  updateHost(id: string, host: string): boolean {
    if (!this.findById(id)) return false;
    this.db.update(userApps).set({ host }).where(eq(userApps.id, id)).run();
    this.byId.delete(id);
    return true;
  }
}
