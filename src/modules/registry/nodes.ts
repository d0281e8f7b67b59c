/**
 * @module This server as a registry node (contract §4): its row is written when the module is built
 * (so `node/self` answers from the first request, from memory) and again on every heartbeat, with
 * resource usage.
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
    this.current = this.heartbeatRow();
  }

  /** One heartbeat: refresh usage and time, write the row. */
  async runOnce(): Promise<void> {
    this.current = this.heartbeatRow();
    await this.o.store.saveNode(this.current);
  }

  /** This node, from memory. */
  self(): Node {
    return toWireNode(this.current);
  }

  async list(ids: readonly string[]): Promise<Node[]> {
    return (await this.o.store.listNodes(ids)).map(toWireNode);
  }

  /** Deletes the node registered with `url`; this server's own node comes back at its next heartbeat. */
  async delete(url: string): Promise<void> {
    const normalized = url.replace(/\/+$/, "");
    if ((await this.o.store.deleteNodeByUrl(normalized)) === 0) throw nodeNotFound(url);
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
