/**
 * @module Registry Svc tables (drizzle, both dialects through the column kit). Instances are the
 * durable copy of the in-memory instance table (registrations and removals committed before their
 * answer, health written behind in batches); nodes are written directly by the node heartbeat.
 * Times are epoch milliseconds.
 */
import type { ColumnKit } from "../../db/columns";

/** The registry tables for one dialect and prefix. */
export function defineRegistryTables(c: ColumnKit) {
  /** The durable copy of the in-memory instance table, one row per instance. */
  const registryInstances = c.table(
    "registry_instances",
    {
      id: c.text("id").primaryKey(),
      slug: c.text("slug").notNull(),
      /** Normalised URL; unique in memory (not in SQL, so a batch may move URLs between rows safely). */
      url: c.text("url").notNull(),
      scheme: c.text("scheme").notNull(),
      host: c.text("host").notNull(),
      ip: c.text("ip"),
      port: c.integer("port").notNull(),
      path: c.text("path").notNull().default(""),
      deploymentId: c.text("deployment_id"),
      healthCheckPath: c.text("health_check_path"),
      /** Region given at registration (null: none); display and filtering only. */
      region: c.text("region"),
      status: c.text("status").notNull(),
      lastHeartbeat: c.time("last_heartbeat"),
      createdAt: c.time("created_at").notNull(),
    },
    (table) => [c.index("registry_instances_slug").on(table.slug), c.index("registry_instances_url").on(table.url)],
  );

  /** One row per server (node), rewritten by its own heartbeat. */
  const registryNodes = c.table("registry_nodes", {
    id: c.text("id").primaryKey(),
    url: c.text("url").notNull().unique(),
    region: c.text("region").notNull().default(""),
    availabilityZone: c.text("availability_zone").notNull().default(""),
    lastHeartbeat: c.time("last_heartbeat").notNull(),
    /** JSON of the wire `usage` object. */
    usage: c.text("usage").notNull().default("{}"),
  });

  return { registryInstances, registryNodes };
}
