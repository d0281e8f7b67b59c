/**
 * @module Registry Svc tables. Instances are the durable copy of the in-memory instance table
 * (registrations and removals committed before their answer, health written behind in batches);
 * nodes are written directly by the node heartbeat.
 * Times are epoch milliseconds.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The durable copy of the in-memory instance table, one row per instance. */
export const registryInstances = sqliteTable(
  "registry_instances",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    /** Normalised URL; unique in memory (not in SQL, so a batch may move URLs between rows safely). */
    url: text("url").notNull(),
    scheme: text("scheme").notNull(),
    host: text("host").notNull(),
    ip: text("ip"),
    port: integer("port").notNull(),
    path: text("path").notNull().default(""),
    deploymentId: text("deployment_id"),
    healthCheckPath: text("health_check_path"),
    status: text("status").notNull(),
    lastHeartbeat: integer("last_heartbeat"),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [index("registry_instances_slug").on(table.slug), index("registry_instances_url").on(table.url)],
);

/** One row per server (node), rewritten by its own heartbeat. */
export const registryNodes = sqliteTable("registry_nodes", {
  id: text("id").primaryKey(),
  url: text("url").notNull().unique(),
  region: text("region").notNull().default(""),
  availabilityZone: text("availability_zone").notNull().default(""),
  lastHeartbeat: integer("last_heartbeat").notNull(),
  /** JSON of the wire `usage` object. */
  usage: text("usage").notNull().default("{}"),
});
