/** @module Observability's table: the one row the readiness check rewrites to prove a commit goes through. */
import type { ColumnKit } from "../../db/columns";

/** The observability tables for one dialect and prefix. */
export function defineObservabilityTables(c: ColumnKit) {
  /** One row (`id` 1) holding the time of the last readiness write; no product data. */
  const systemReadiness = c.table("system_readiness", {
    id: c.integer("id").primaryKey(),
    checkedAt: c.time("checked_at").notNull(),
  });
  return { systemReadiness };
}
