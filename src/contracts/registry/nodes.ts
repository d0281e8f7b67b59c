/**
 * @module Registry Svc node schemas (TypeBox): the servers of a cluster and their resource use, as
 * 1Backend's `registry-svc` names them (client 0.9.18, models `RegistrySvc*`).
 */
import { Type as t, type Static } from "@sinclair/typebox";

const Usage = t.Object({ used: t.Number(), total: t.Number(), percent: t.Number() });
/** CPU, memory and disk use of a node (used, total, percent). */
export const ResourceUsage = t.Object({ cpu: Usage, memory: Usage, disk: Usage });
export type ResourceUsage = Static<typeof ResourceUsage>;

/**
 * A server (node) on the wire. `alive` is ours (1Backend's model leaves liveness to the reader of
 * `lastHeartbeat`); it is optional and additive, so clients that do not know it (@1backend/client
 * 0.9.18 copies only the fields it knows) read the rest unchanged.
 */
export const Node = t.Object({
  id: t.String(),
  url: t.String(),
  region: t.Optional(t.String()),
  availabilityZone: t.Optional(t.String()),
  lastHeartbeat: t.String({ description: "ISO 8601 UTC." }),
  alive: t.Optional(t.Boolean({ description: "Whether its last heartbeat is less than 3 heartbeat intervals (OB_HEALTH_INTERVAL of the answering node) old. A node not alive is removed OB_NODE_TTL after its last heartbeat." })),
  usage: ResourceUsage,
});
export type Node = Static<typeof Node>;

/** Body of `POST /registry-svc/nodes`: all nodes, or those with the given ids. */
export const ListNodesRequest = t.Object({ ids: t.Optional(t.Array(t.String(), { maxItems: 1000, description: "Only the nodes with these ids; all when absent." })) });
/** Answer of `POST /registry-svc/nodes`. */
export const ListNodesResponse = t.Object({ nodes: t.Array(Node) });
export type ListNodesResponse = Static<typeof ListNodesResponse>;
/** Answer of `GET /registry-svc/node/self`. */
export const SelfNodeResponse = t.Object({ node: Node });
