/**
 * @module This server as a registry node (contract §4): its row is written when the module is built
 * (so `node/self` answers from the first request) and again on every heartbeat, with resource usage.
 */
import { nodeNotFound } from "./errors";
import { isoTime, type Clock } from "../../lib/clock";
import { newId } from "../../lib/ids";
import type { Logger } from "../../lib/log";
import { BackgroundJob } from "../../lib/background-job";
import type { Node, ResourceUsage } from "../../contracts/registry/nodes";
import type { NodeRow, RegistryStore } from "./store";
import { createUsageReader } from "./usage";

/** This node's identity (config), storage, and heartbeat interval (ms). */
export interface NodeServiceOptions {
  store: RegistryStore;
  clock: Clock;
  log: Logger;
  selfUrl: string;
  nodeId?: string;
  region: string;
  availabilityZone: string;
  heartbeatIntervalMs: number;
}

/** This server's node row (a background heartbeat job) and the node listing and removal. */
export class NodeService extends BackgroundJob {
  private readonly id: string;
  private readonly readUsage = createUsageReader();
  private current: NodeRow;

  /** Resolves this node's id (configured, else the stored one for this URL, else new) and writes its row. */
  constructor(private readonly o: NodeServiceOptions) {
    super({ name: "node heartbeat", intervalMs: o.heartbeatIntervalMs, log: o.log });
    this.id = o.nodeId ?? o.store.findNodeByUrl(o.selfUrl)?.id ?? newId("node");
    this.current = this.heartbeatRow();
    o.store.saveNode(this.current);
  }

  /** One heartbeat: refresh usage and time, write the row. */
  runOnce(): void {
    this.current = this.heartbeatRow();
    this.o.store.saveNode(this.current);
  }

  /** This node, from memory. */
  self(): Node {
    return toWireNode(this.current);
  }

  list(ids: readonly string[]): Node[] {
    return this.o.store.listNodes(ids).map(toWireNode);
  }

  /** Deletes the node registered with `url`; this server's own node comes back at its next heartbeat. */
  delete(url: string): void {
    const normalized = url.replace(/\/+$/, "");
    if (this.o.store.deleteNodeByUrl(normalized) === 0) throw nodeNotFound(url);
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
}

function toWireNode(row: NodeRow): Node {
  const node: Node = { id: row.id, url: row.url, lastHeartbeat: isoTime(row.lastHeartbeat), usage: JSON.parse(row.usage) as ResourceUsage };
  if (row.region) node.region = row.region;
  if (row.availabilityZone) node.availabilityZone = row.availabilityZone;
  return node;
}
