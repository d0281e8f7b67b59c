/**
 * @module Permits indexed in memory by permission, so `hasPermission` on the hot path is a map lookup
 * and a few set checks (reference §4.2: the permit's app is the token's app or `*`, and it names the
 * caller's slug or one of the caller's roles). Loaded from the table at start, then kept in step by
 * {@link PermitIndex.upsert} after every save (a save costs what it writes, not the whole table), and
 * by {@link PermitIndex.applyStored} for the permits other nodes change (permit-sync.ts).
 */
import type { PermitRow } from "./wire";

interface Grant {
  id: string;
  appId: string;
  slugs: ReadonlySet<string>;
  roles: ReadonlySet<string>;
}

/** The in-memory permit index behind every permission check. */
export class PermitIndex {
  private byPermission = new Map<string, Grant[]>();
  /** Permit id → its permission, so an upsert can replace a permit whose permission changed. */
  private permissionById = new Map<string, string>();

  /** Replaces the index with these rows (in the table's order). */
  load(rows: readonly PermitRow[]): void {
    this.byPermission = new Map();
    this.permissionById = new Map();
    this.upsert(rows);
  }

  /** Adds these permits, replacing any indexed permit with the same id. */
  upsert(rows: readonly PermitRow[]): void {
    for (const row of rows) {
      this.remove(row.id);
      const grant = { id: row.id, appId: row.appId, slugs: new Set(row.slugs), roles: new Set(row.roles) };
      const list = this.byPermission.get(row.permission);
      if (list) list.push(grant);
      else this.byPermission.set(row.permission, [grant]);
      this.permissionById.set(row.id, row.permission);
    }
  }

  /** Whether a permit of `permission` in the caller's app (or `*`) names its slug or one of its roles. */
  allows(who: { appId: string; slug: string; roles: readonly string[] }, permission: string): boolean {
    const grants = this.byPermission.get(permission);
    if (!grants) return false;
    for (const g of grants) {
      if (g.appId !== "*" && g.appId !== who.appId) continue;
      if (g.slugs.has(who.slug)) return true;
      for (const role of who.roles) if (g.roles.has(role)) return true;
    }
    return false;
  }

  /** Every permission granted to any of `roles` (in any app), in first-grant order. */
  permissionsOfRoles(roles: readonly string[]): string[] {
    const out: string[] = [];
    for (const [permission, grants] of this.byPermission) {
      if (grants.some((g) => roles.some((r) => g.roles.has(r)))) out.push(permission);
    }
    return out;
  }

  /** Drops these permits (after a delete). */
  removeIds(ids: readonly string[]): void {
    for (const id of ids) this.remove(id);
  }

  /**
   * Makes the index hold what the table holds for `ids`: `rows` are those of them read from it (each
   * upserted), an id without a row was deleted (dropped). Applying the same read twice changes nothing.
   */
  applyStored(ids: Iterable<string>, rows: readonly PermitRow[]): void {
    const stored = new Set<string>();
    for (const row of rows) stored.add(row.id);
    for (const id of ids) if (!stored.has(id)) this.remove(id);
    this.upsert(rows);
  }

  /** The ids of every indexed permit. */
  ids(): string[] {
    return [...this.permissionById.keys()];
  }

  /** Drops a permit by id; its permission keeps its (maybe empty) list, so first-grant order holds. */
  private remove(id: string): void {
    const permission = this.permissionById.get(id);
    if (permission === undefined) return;
    const list = this.byPermission.get(permission)!;
    list.splice(list.findIndex((g) => g.id === id), 1);
    this.permissionById.delete(id);
  }
}
