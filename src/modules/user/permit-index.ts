/**
 * @module Permits indexed in memory by permission, so `hasPermission` on the hot path is a map lookup
 * and a few set checks (reference §4.2: the permit's app is the token's app or `*`, and it names the
 * caller's slug or one of the caller's roles). Rebuilt from the table after every permit change.
 */
import type { PermitRow } from "./wire";

interface Grant {
  appId: string;
  slugs: ReadonlySet<string>;
  roles: ReadonlySet<string>;
}

export class PermitIndex {
  private byPermission = new Map<string, Grant[]>();

  /** Replaces the index with these rows. */
  load(rows: readonly PermitRow[]): void {
    const next = new Map<string, Grant[]>();
    for (const row of rows) {
      const list = next.get(row.permission) ?? [];
      list.push({ appId: row.appId, slugs: new Set(row.slugs), roles: new Set(row.roles) });
      next.set(row.permission, list);
    }
    this.byPermission = next;
  }

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
}
