/** @module The cluster's table: the change feed (feed.ts), written only on PostgreSQL, where nodes share one database. */
import type { ColumnKit } from "../../db/columns";

/** The cluster tables for one dialect and prefix. */
export function defineClusterTables(c: ColumnKit) {
  /**
   * One row per changed key, written in the change's transaction: nodes read the rows past the last id
   * they applied (woken by NOTIFY, or by the fallback poll) and drop their cached view of each key. Rows
   * are trimmed by age. `origin` is the writing node's process id, so a node skips its own changes.
   */
  const clusterFeed = c.table(
    "cluster_feed",
    {
      id: c.sequence("id"),
      topic: c.text("topic").notNull(),
      key: c.text("key").notNull(),
      origin: c.text("origin").notNull(),
      createdAt: c.time("created_at").notNull(),
    },
    (t) => [c.index("cluster_feed_created_at_idx").on(t.createdAt)],
  );
  return { clusterFeed };
}
