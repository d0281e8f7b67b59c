/** @module `oo node ls|rm`: the servers (nodes) of the cluster. */
import { apiAnswer, apiCall } from "../api";
import type { Command } from "../command";
import { resolveToken } from "../context";
import { age, render, table } from "../output";

const list: Command = {
  name: "ls",
  aliases: ["list"],
  summary: "List nodes: ID  URL  REGION  AZ  ALIVE  LAST HEARTBEAT",
  output: true,
  async run(ctx) {
    const { env, token } = resolveToken(ctx.flags);
    const { nodes = [] } = await apiAnswer("nodes", env.url, "POST", "/registry-svc/nodes", { token, body: {} });
    const now = Date.now();
    ctx.out(render(ctx.format, nodes, () => table(["ID", "URL", "REGION", "AZ", "ALIVE", "LAST HEARTBEAT"], nodes.map((n) => [n.id, n.url, n.region ?? "", n.availabilityZone ?? "", aliveCell(n.alive), age(n.lastHeartbeat, now)]))));
  },
};

/** `yes`/`no`; empty for a server that does not say (1Backend leaves liveness to `lastHeartbeat`). */
function aliveCell(alive: boolean | undefined): string {
  return alive === undefined ? "" : alive ? "yes" : "no";
}

const remove: Command = {
  name: "rm",
  aliases: ["remove"],
  summary: "Remove a node by its URL (a running node registers itself again)",
  args: "<url>",
  async run(ctx) {
    const { env, token } = resolveToken(ctx.flags);
    await apiCall(env.url, "DELETE", `/registry-svc/node/${encodeURIComponent(ctx.positionals[0]!)}`, { token });
  },
};

/** `oo node ls|rm`. */
export const nodeCommand: Command = {
  name: "node",
  aliases: ["n", "nodes"],
  summary: "Nodes (servers) of the cluster",
  subcommands: [list, remove],
};
