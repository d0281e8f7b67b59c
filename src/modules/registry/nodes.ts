/**
 * @module This server as a registry node (contract §4, §7): its row is written when the module is
 * built (so `node/self` answers from the first request, from memory) and again on every heartbeat,
 * with resource usage. A node is listed alive while its last heartbeat is less than
 * {@link ALIVE_INTERVALS} intervals old (computed when read), and every node's heartbeat removes the
 * rows of nodes not seen for the TTL, so a node that died leaves the list without an elected cleaner.
 *
 * In a cluster each heartbeat also reads the node rows (one query per interval, never per request),
 * and {@link NodeService.share} answers which instances this node probes and judges: those that
 * rendezvous hashing (lib/rendezvous.ts) of the instance id over the live nodes gives to it. This
 * node always counts itself; liveness is re-judged from the rows last read whenever the share is
 * asked for, so a node that died stops owning once it is listed not alive (3 intervals after its
 * last heartbeat; one that stops gracefully marks its row so at once), and if this node cannot read
 * the rows the others expire in its view and it probes everything, never nothing. On one node (SQLite) the share is everything, with no query
 * and no hashing.
 */
import { nodeNotFound } from "./errors";
import { isoTime, type Clock } from "../../lib/clock";
import { newId } from "../../lib/ids";
import type { Logger } from "../../lib/log";
import { BackgroundJob } from "../../lib/background-job";
import type { Node, ResourceUsage } from "../../contracts/registry/nodes";
import type { NodeRow, RegistryStore } from "./store";
import { createUsageReader } from "./usage";
import { Rendezvous } from "../../lib/rendezvous";

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
  /**
   * Share the instances with the other live nodes (PostgreSQL: several nodes on one database). Off,
   * this node owns every instance and never reads the other rows (SQLite: one file, one node).
   */
  cluster?: boolean;
}

/**
 * Which instances this node probes and judges (issue 12 "probing spread over the live nodes"): a
 * value for one cycle of the prober or one sweep, taken again for the next.
 */
export interface InstanceShare {
  /** This node's id. */
  readonly node: string;
  /** Whether this node shares with others (PostgreSQL); false on one node, whose share is everything. */
  readonly cluster: boolean;
  /** This node is the only live one: it owns every instance (and {@link owns} hashes nothing). */
  readonly whole: boolean;
  /**
   * Clock time this share began: when this node last saw the set of live nodes change (or its start,
   * in a cluster); -Infinity on a single node. Instances that just moved here have been judged by
   * another node until then, so their silence counts from here (sweeper.ts).
   */
  readonly since: number;
  /** Whether this node owns the instance with this id. */
  owns(id: string): boolean;
}

/** A node's id and last heartbeat, as read from its row. */
interface Peer {
  id: string;
  lastHeartbeat: number;
}

/** This server's node row (a background heartbeat job) and the node listing and removal. */
export class NodeService extends BackgroundJob {
  private readonly id: string;
  private readonly readUsage = createUsageReader();
  private readonly aliveForMs: number;
  private readonly ttlMs: number;
  private current: NodeRow;
  /** The other nodes' rows as last read (cluster only). */
  private peers: Peer[] = [];
  private currentShare: InstanceShare;
  /** The sorted live ids of {@link currentShare}, joined: what a change is detected by. */
  private shareKey: string;

  /**
   * Resolves this node's id (configured, else the stored one for this URL, else new) and writes its
   * row; in a cluster reads the other nodes' rows, so the first probe cycle already shares.
   */
  static async create(o: NodeServiceOptions): Promise<NodeService> {
    const service = new NodeService(o, o.nodeId ?? (await o.store.findNodeByUrl(o.selfUrl))?.id ?? newId("node"));
    await o.store.saveNode(service.current);
    if (o.cluster) await service.readPeers();
    return service;
  }

  private constructor(
    private readonly o: NodeServiceOptions,
    id: string,
  ) {
    super({ name: "node heartbeat", intervalMs: o.heartbeatIntervalMs, log: o.log, recovered: "node heartbeat: database reachable again" });
    this.id = id;
    this.aliveForMs = ALIVE_INTERVALS * o.heartbeatIntervalMs;
    this.ttlMs = o.ttlMs ?? 10 * o.heartbeatIntervalMs;
    this.current = this.heartbeatRow();
    const whole = { node: id, cluster: false, whole: true, since: -Infinity, owns: () => true };
    this.currentShare = o.cluster ? { ...whole, cluster: true, since: o.clock.now() } : whole;
    this.shareKey = id;
  }

  /**
   * One heartbeat: refresh usage and time, write the row, then remove the nodes not seen for the TTL.
   * Every node does the removal, so it goes on whichever nodes die; it is one conditional DELETE, so
   * nodes doing it at once remove each row once, and a node that heartbeats meanwhile is kept. In a
   * cluster it also reads the rows (the live nodes for {@link share}), alongside the removal: a row
   * read as it is removed is long past alive anyway, and the run (whose length can delay the next
   * heartbeat) takes one round trip less.
   */
  async runOnce(): Promise<void> {
    this.current = this.heartbeatRow();
    await this.o.store.saveNode(this.current);
    await Promise.all([this.ttlMs > 0 && this.removeStale(this.current.lastHeartbeat - this.ttlMs), this.o.cluster && this.readPeers()]);
  }

  /**
   * Stops the heartbeat. In a cluster a running node then writes its row as last seen
   * {@link ALIVE_INTERVALS} intervals ago: the others list it not alive at once and take over its
   * share at their next heartbeat instead of 3 intervals later, so a rolling restart leaves no gap
   * in probing. Best effort: when the write fails the take-over only comes later.
   */
  override async stop(): Promise<void> {
    const running = this.job.started;
    await super.stop();
    if (!this.o.cluster || !running) return;
    try {
      await this.o.store.saveNode({ ...this.heartbeatRow(), lastHeartbeat: this.o.clock.now() - this.aliveForMs });
    } catch (err) {
      this.o.log.warn("node row not marked as left; the others take over its share 3 intervals after its last heartbeat", { error: String(err) });
    }
  }

  /**
   * The instances this node owns now: rendezvous over itself and the nodes whose last read heartbeat
   * is less than {@link ALIVE_INTERVALS} intervals old. Cheap (no query; the nodes are few): asked once
   * per probe cycle and sweep, not per instance.
   */
  share(): InstanceShare {
    if (this.o.cluster) this.judgePeers(this.o.clock.now());
    return this.currentShare;
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

  private async readPeers(): Promise<void> {
    const rows = await this.o.store.listNodes([]);
    this.peers = rows.filter((row) => row.id !== this.id).map((row) => ({ id: row.id, lastHeartbeat: row.lastHeartbeat }));
    this.judgePeers(this.o.clock.now());
  }

  /** Recomputes the share when the set of live nodes differs from the current share's. */
  private judgePeers(now: number): void {
    const live = [this.id];
    for (const peer of this.peers) if (now - peer.lastHeartbeat < this.aliveForMs) live.push(peer.id);
    const key = live.sort().join("\n");
    if (key === this.shareKey) return;
    this.shareKey = key;
    this.currentShare = shareOf(this.id, live, now);
    this.o.log.info("probing share changed", { node: this.id, liveNodes: live });
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

/** `self`'s share among the `live` node ids (self included), as of `since`. */
function shareOf(self: string, live: readonly string[], since: number): InstanceShare {
  if (live.length === 1) return { node: self, cluster: true, whole: true, since, owns: () => true };
  const ring = new Rendezvous(live);
  const mine = ring.members.indexOf(self);
  return { node: self, cluster: true, whole: false, since, owns: (id) => ring.indexOf(id) === mine };
}
