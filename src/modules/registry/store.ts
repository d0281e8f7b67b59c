/**
 * @module Registry storage on either dialect: loads the instance table at start and writes its
 * changes in one all-or-nothing batch per commit. Each write (delete, upsert, health update) is one
 * statement over a list of rows, written once and run through `database.rowWrite`: on PostgreSQL one
 * multi-row statement per chunk of rows (measured: 1,000 single-row statements in one transaction
 * 216 ms, one multi-row upsert 49 ms), on SQLite one statement prepared once and run per row (no
 * query built per commit: a probe cycle's 10,000 status rows take 35–50 ms, as before cluster mode,
 * instead of 300 ms and more; bench/registry/README.md).
 * Every id a commit writes is recorded in the change feed in the same batch, so the other nodes
 * re-read exactly those rows (remote-changes.ts); on one node the feed records nothing. Nodes are
 * small and written directly.
 */
import { eq, inArray, lt, sql, type SQL } from "drizzle-orm";
import { chunks, type Database, type RowWrite, type Tables } from "../../db/database";
import { FEED_TOPICS, singleNodeFeed, type ChangeFeed, type FeedConsumer } from "../cluster/feed";
import type { BaseDeps } from "../module";
import type { InstanceRecord, PendingChanges } from "./instance-table";
import type { InstanceStatus } from "./routing";

/** A stored node row; `usage` is the JSON text of the wire usage object. */
export type NodeRow = Tables["registryNodes"]["$inferSelect"];

type InstanceRow = Tables["registryInstances"]["$inferInsert"];
type HealthRow = Pick<InstanceRecord, "id" | "status" | "lastHeartbeat">;

/** The storage the registry's queries run on. */
export type RegistryStoreDeps = Pick<BaseDeps, "database" | "feed">;

/**
 * Rows per statement: 500 upserted rows are 6,500 parameters (SQLite allows 32,766, PostgreSQL
 * 65,535); a health update's CASE is evaluated per row it touches, so its chunks stay smaller.
 */
const UPSERT_CHUNK = 500;
const DELETE_CHUNK = 1000;
const HEALTH_CHUNK = 200;
/** Ids per SELECT … IN (…) of {@link RegistryStore.findInstances}. */
const FIND_CHUNK = 1000;

/** Registry queries: instance load and batched writes, node rows. */
export class RegistryStore {
  private readonly database: Database;
  private readonly feed: ChangeFeed;
  private readonly deleteInstances: RowWrite<{ id: string }>;
  private readonly upsertInstances: RowWrite<InstanceRow>;
  private readonly updateHealth: RowWrite<HealthRow>;

  constructor({ database, feed }: RegistryStoreDeps) {
    this.database = database;
    this.feed = feed ?? singleNodeFeed;
    const t = database.tables.registryInstances;
    this.deleteInstances = database.rowWrite(DELETE_CHUNK, (db, rows) => db.delete(t).where(inArray(t.id, rows.map((r) => r.id))));
    this.upsertInstances = database.rowWrite(UPSERT_CHUNK, (db, rows) => db.insert(t).values(rows).onConflictDoUpdate({ target: t.id, set: this.fromExcluded }));
    // An UPDATE, never an upsert: a health write that lost a race with a removal changes nothing
    // instead of re-creating the removed row.
    this.updateHealth = database.rowWrite(HEALTH_CHUNK, (db, rows) =>
      db
        .update(t)
        .set({ status: caseById(t, rows, "status"), lastHeartbeat: caseById(t, rows, "lastHeartbeat") })
        .where(inArray(t.id, rows.map((r) => r.id))),
    );
  }

  /** Calls `consumer` with the ids of instances other nodes wrote (from the change feed). */
  onInstancesChangedElsewhere(consumer: FeedConsumer): void {
    this.feed.subscribe(FEED_TOPICS.instanceChanged, consumer);
  }

  /** Every stored instance, oldest first. */
  async loadInstances(): Promise<InstanceRecord[]> {
    const { db, tables: { registryInstances: t } } = this.database;
    return (await db.select().from(t).orderBy(t.createdAt)).map(recordOf);
  }

  /** The stored rows of `ids` (an id without a row is not stored), one query per chunk of ids. */
  async findInstances(ids: readonly string[]): Promise<InstanceRecord[]> {
    const { db, tables: { registryInstances: t } } = this.database;
    const found: InstanceRecord[] = [];
    for (const chunk of chunks(ids, FIND_CHUNK)) for (const row of await db.select().from(t).where(inArray(t.id, chunk))) found.push(recordOf(row));
    return found;
  }

  /**
   * Writes a batch of changes in one transaction, all or nothing: deletes, then registrations (full
   * rows, upserted), then health-only updates, then the feed rows of every id written. The rows are
   * read when this is called, before it yields. Throws when the transaction did not commit (it is
   * rolled back, feed rows with it).
   */
  async writeChanges(changes: PendingChanges): Promise<void> {
    if (changes.upserts.length === 0 && changes.deletes.length === 0 && changes.health.length === 0) return;
    const deletes = changes.deletes.map((id) => ({ id }));
    const upserts = changes.upserts.map(instanceRow);
    const health = changes.health.map((r): HealthRow => ({ id: r.id, status: r.status, lastHeartbeat: r.lastHeartbeat }));
    await this.database.batch((db) => [
      ...this.deleteInstances.queries(db, deletes),
      ...this.upsertInstances.queries(db, upserts),
      ...this.updateHealth.queries(db, health),
      ...this.feed.record(db, FEED_TOPICS.instanceChanged, [...changes.deletes, ...upserts.map((r) => r.id), ...health.map((r) => r.id)]),
    ]);
  }

  /** A re-registration replaces every column but the id and the creation time, from the row it tried to insert. */
  private get fromExcluded(): Record<(typeof UPSERTED)[number], SQL> {
    const t = this.database.tables.registryInstances;
    return Object.fromEntries(UPSERTED.map((key) => [key, sql`excluded.${sql.identifier(t[key].name)}`])) as Record<(typeof UPSERTED)[number], SQL>;
  }

  async findNodeByUrl(url: string): Promise<NodeRow | undefined> {
    const { db, tables: { registryNodes: n } } = this.database;
    return (await db.select().from(n).where(eq(n.url, url)).limit(1))[0];
  }

  /** Inserts or replaces the node with this id; another row holding the same URL is replaced too. */
  async saveNode(node: NodeRow): Promise<void> {
    const n = this.database.tables.registryNodes;
    await this.database.batch((db) => [
      db.delete(n).where(eq(n.url, node.url)),
      db.insert(n).values(node).onConflictDoUpdate({ target: n.id, set: { ...node } }),
    ]);
  }

  /** Nodes with the given ids, or all of them when `ids` is empty. */
  async listNodes(ids: readonly string[]): Promise<NodeRow[]> {
    const { db, tables: { registryNodes: n } } = this.database;
    const query = db.select().from(n);
    return await (ids.length > 0 ? query.where(inArray(n.id, [...ids])) : query).orderBy(n.url);
  }

  /** Deletes the nodes with this URL; returns how many there were. */
  async deleteNodeByUrl(url: string): Promise<number> {
    const { db, tables: { registryNodes: n } } = this.database;
    return (await db.delete(n).where(eq(n.url, url)).returning({ id: n.id })).length;
  }

  /** Deletes the nodes whose last heartbeat is before `cutoff` (one statement: a node that heartbeats meanwhile stays); returns them. */
  async deleteNodesSeenBefore(cutoff: number): Promise<Pick<NodeRow, "id" | "url" | "lastHeartbeat">[]> {
    const { db, tables: { registryNodes: n } } = this.database;
    return await db.delete(n).where(lt(n.lastHeartbeat, cutoff)).returning({ id: n.id, url: n.url, lastHeartbeat: n.lastHeartbeat });
  }

}

/** The columns a re-registration rewrites. */
const UPSERTED = ["slug", "url", "scheme", "host", "ip", "port", "path", "deploymentId", "healthCheckPath", "region", "status", "lastHeartbeat"] as const;

function recordOf(row: Tables["registryInstances"]["$inferSelect"]): InstanceRecord {
  return {
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
    ...(row.region ? { region: row.region } : {}),
  };
}

function instanceRow(r: InstanceRecord): InstanceRow {
  return {
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
    region: r.region ?? null,
    status: r.status,
    lastHeartbeat: r.lastHeartbeat,
    createdAt: r.createdAt,
  };
}

/**
 * `CAST(CASE id WHEN … THEN … END AS <column type>)` over `rows`: one UPDATE gives each row its own
 * value, on both dialects. The cast is for PostgreSQL, which cannot infer a parameter's type inside a
 * CASE. Built by appending to one flat SQL: nesting a fragment per row made drizzle's query building
 * 5× slower (measured: 600 vs 110 ms per 10,000 rows), and a probe cycle may change them all.
 */
function caseById<K extends "status" | "lastHeartbeat">(t: Tables["registryInstances"], rows: readonly ({ id: string } & Record<K, unknown>)[], key: K): SQL {
  const expression = sql`cast(case ${t.id}`;
  for (const r of rows) expression.append(sql` when ${r.id} then ${r[key]}`);
  return expression.append(sql` end as ${sql.raw(t[key].getSQLType())})`);
}
