/**
 * @module This server as a registry node (contract §4, §7): its row is written when the module is
 * built (so `node/self` answers from the first request, from memory) and again on every heartbeat,
 * with resource usage. A node is listed alive while its last heartbeat is less than
 * {@link ALIVE_INTERVALS} intervals old (computed when read), and every node's heartbeat removes the
 * rows of nodes not seen for the TTL, so a node that died leaves the list without an elected cleaner.
 */
import { nodeNotFound } from "./errors";
import { isoTime, type Clock } from "../../lib/clock";
import { newId } from "../../lib/ids";
import type { Logger } from "../../lib/log";
import { BackgroundJob } from "../../lib/background-job";
import type { Node, ResourceUsage } from "../../contracts/registry/nodes";
import type { NodeRow, RegistryStore } from "./store";
import { createUsageReader } from "./usage";

/**
 * Heartbeat intervals after which a silent node is listed not alive: a live node's row is at most
 * about one interval old (plus a write's latency and a late timer), so two intervals of slack.
 */
export const ALIVE_INTERVALS = 3;

/** This node's identity (config), storage, heartbeat interval and node TTL (ms). */
export interface NodeServiceOptions {
  store: RegistryStore;
  clock: Clock;
  log: Logger;
  selfUrl: string;
  nodeId?: string;
  region: string;
  availabilityZone: string;
  heartbeatIntervalMs: number;
  /**
   * Rows whose last heartbeat is older than this are removed by this node's heartbeat (config
   * OB_NODE_TTL, more than {@link ALIVE_INTERVALS} intervals); 0 never removes. Default: 10 intervals.
   */
  ttlMs?: number;
}

/** This server's node row (a background heartbeat job) and the node listing and removal. */
export class NodeService extends BackgroundJob {
  private readonly id: string;
  private readonly readUsage = createUsageReader();
  private readonly aliveForMs: number;
  private readonly ttlMs: number;
  private current: NodeRow;

  /** Resolves this node's id (configured, else the stored one for this URL, else new) and writes its row. */
  static async create(o: NodeServiceOptions): Promise<NodeService> {
    const service = new NodeService(o, o.nodeId ?? (await o.store.findNodeByUrl(o.selfUrl))?.id ?? newId("node"));
    await o.store.saveNode(service.current);
    return service;
  }

  private constructor(
    private readonly o: NodeServiceOptions,
    id: string,
  ) {
    super({ name: "node heartbeat", intervalMs: o.heartbeatIntervalMs, log: o.log });
    this.id = id;
    this.aliveForMs = ALIVE_INTERVALS * o.heartbeatIntervalMs;
    this.ttlMs = o.ttlMs ?? 10 * o.heartbeatIntervalMs;
    this.current = this.heartbeatRow();
  }

  /**
   * One heartbeat: refresh usage and time, write the row, then remove the nodes not seen for the TTL.
   * Every node does the removal, so it goes on whichever nodes die; it is one conditional DELETE, so
   * nodes doing it at once remove each row once, and a node that heartbeats meanwhile is kept.
   */
  async runOnce(): Promise<void> {
    this.current = this.heartbeatRow();
    await this.o.store.saveNode(this.current);
    if (this.ttlMs > 0) await this.removeStale(this.current.lastHeartbeat - this.ttlMs);
  }

  /** This node, from memory. */
  self(): Node {
    return this.toWire(this.current, this.o.clock.now());
  }

  /** The nodes with these ids (all when empty), each with `alive` as of now. */
  async list(ids: readonly string[]): Promise<Node[]> {
    const rows = await this.o.store.listNodes(ids);
    const now = this.o.clock.now();
    return rows.map((row) => this.toWire(row, now));
  }

  /** Deletes the node registered with `url`; this server's own node comes back at its next heartbeat. */
  async delete(url: string): Promise<void> {
    const normalized = url.replace(/\/+$/, "");
    if ((await this.o.store.deleteNodeByUrl(normalized)) === 0) throw nodeNotFound(url);
  }

  private async removeStale(cutoff: number): Promise<void> {
    for (const node of await this.o.store.deleteNodesSeenBefore(cutoff)) {
      this.o.log.info("node removed", { node: node.id, url: node.url, lastHeartbeat: isoTime(node.lastHeartbeat), ttlMs: this.ttlMs });
    }
  }

  private heartbeatRow(): NodeRow {
    const { o } = this;
    return {
      id: this.id,
      url: o.selfUrl,
      region: o.region,
      availabilityZone: o.availabilityZone,
      lastHeartbeat: o.clock.now(),
      usage: JSON.stringify(this.readUsage()),
    };
  }

  /** The wire node; alive by this node's interval (every node of a cluster is meant to share it). */
  private toWire(row: NodeRow, now: number): Node {
    const node: Node = { id: row.id, url: row.url, lastHeartbeat: isoTime(row.lastHeartbeat), alive: now - row.lastHeartbeat < this.aliveForMs, usage: JSON.parse(row.usage) as ResourceUsage };
    if (row.region) node.region = row.region;
    if (row.availabilityZone) node.availabilityZone = row.availabilityZone;
    return node;
  }
}
