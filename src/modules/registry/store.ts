/**
 * @module Registry storage: loads the instance table at start and writes its changes in one
 * transaction per commit (prepared statements; a group of registrations or many heartbeats cost one
 * write). Nodes are small and written directly.
 */
import type { Database } from "bun:sqlite";
import { eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { BaseDeps } from "../module";
import type { InstanceRecord, PendingChanges } from "./instance-table";
import type { InstanceStatus } from "./routing";
import { registryInstances, registryNodes } from "./tables";

/** A stored node row; `usage` is the JSON text of the wire usage object. */
export type NodeRow = typeof registryNodes.$inferSelect;

/** The storage the registry's queries run on (the user module's stores take the same slice of BaseDeps). */
export type RegistryStoreDeps = Pick<BaseDeps, "db" | "sqlite">;

/** Registry queries: instance load and batched writes, node rows. */
export class RegistryStore {
  private readonly upsertInstance;
  private readonly deleteInstance;
  private readonly updateHealth;

  private readonly db: Db;
  private readonly sqlite: Database;

  constructor({ db, sqlite }: RegistryStoreDeps) {
    this.db = db;
    this.sqlite = sqlite;
    this.upsertInstance = sqlite.prepare(
      `INSERT INTO registry_instances (id, slug, url, scheme, host, ip, port, path, deployment_id, health_check_path, status, last_heartbeat, created_at)
       VALUES ($id, $slug, $url, $scheme, $host, $ip, $port, $path, $deploymentId, $healthCheckPath, $status, $lastHeartbeat, $createdAt)
       ON CONFLICT(id) DO UPDATE SET slug = excluded.slug, url = excluded.url, scheme = excluded.scheme, host = excluded.host,
         ip = excluded.ip, port = excluded.port, path = excluded.path, deployment_id = excluded.deployment_id,
         health_check_path = excluded.health_check_path, status = excluded.status, last_heartbeat = excluded.last_heartbeat`,
    );
    this.deleteInstance = sqlite.prepare("DELETE FROM registry_instances WHERE id = $id");
    // An UPDATE, never an upsert: a health write that lost a race with a removal changes nothing
    // instead of re-creating the removed row.
    this.updateHealth = sqlite.prepare("UPDATE registry_instances SET status = $status, last_heartbeat = $lastHeartbeat WHERE id = $id");
  }

  /** Every stored instance, oldest first. */
  loadInstances(): InstanceRecord[] {
    return this.db
      .select()
      .from(registryInstances)
      .orderBy(registryInstances.createdAt)
      .all()
      .map((row) => ({
        id: row.id,
        slug: row.slug,
        url: row.url,
        scheme: row.scheme === "https" ? "https" : "http",
        host: row.host,
        port: row.port,
        path: row.path,
        status: row.status as InstanceStatus,
        lastHeartbeat: row.lastHeartbeat,
        createdAt: row.createdAt,
        ...(row.ip ? { ip: row.ip } : {}),
        ...(row.deploymentId ? { deploymentId: row.deploymentId } : {}),
        ...(row.healthCheckPath ? { healthCheckPath: row.healthCheckPath } : {}),
      }));
  }

  /**
   * Writes a batch of changes in one transaction, all or nothing: deletes, then registrations (full
   * rows), then health-only updates. Throws when the transaction did not commit (it is rolled back).
   */
  writeChanges(changes: PendingChanges): void {
    if (changes.upserts.length === 0 && changes.deletes.length === 0 && changes.health.length === 0) return;
    this.sqlite.transaction(() => {
      for (const id of changes.deletes) this.deleteInstance.run({ id });
      for (const r of changes.upserts) {
        this.upsertInstance.run({
          id: r.id,
          slug: r.slug,
          url: r.url,
          scheme: r.scheme,
          host: r.host,
          ip: r.ip ?? null,
          port: r.port,
          path: r.path,
          deploymentId: r.deploymentId ?? null,
          healthCheckPath: r.healthCheckPath ?? null,
          status: r.status,
          lastHeartbeat: r.lastHeartbeat,
          createdAt: r.createdAt,
        });
      }
      for (const r of changes.health) this.updateHealth.run({ id: r.id, status: r.status, lastHeartbeat: r.lastHeartbeat });
    })();
  }

  findNodeByUrl(url: string): NodeRow | undefined {
    return this.db.select().from(registryNodes).where(eq(registryNodes.url, url)).get();
  }

  /** Inserts or replaces the node with this id; another row holding the same URL is replaced too. */
  saveNode(node: NodeRow): void {
    this.sqlite.transaction(() => {
      this.db.delete(registryNodes).where(eq(registryNodes.url, node.url)).run();
      this.db
        .insert(registryNodes)
        .values(node)
        .onConflictDoUpdate({ target: registryNodes.id, set: { ...node } })
        .run();
    })();
  }

  /** Nodes with the given ids, or all of them when `ids` is empty. */
  listNodes(ids: readonly string[]): NodeRow[] {
    const query = this.db.select().from(registryNodes);
    return (ids.length > 0 ? query.where(inArray(registryNodes.id, [...ids])) : query).orderBy(registryNodes.url).all();
  }

  /** Deletes the nodes with this URL; returns how many there were. */
  deleteNodeByUrl(url: string): number {
    return this.sqlite.query("DELETE FROM registry_nodes WHERE url = $url").run({ url }).changes;
  }
}
