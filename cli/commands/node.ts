/** @module `oo node ls|rm`: the servers (nodes) of the cluster. */
import { apiCall } from "../api";
import { expectArgs, JSON_FLAG, type Command } from "../command";
import { resolveToken } from "../context";
import { age, json, table } from "../output";

interface Node {
  id: string;
  url: string;
  region?: string;
  availabilityZone?: string;
  lastHeartbeat?: string;
}

const list: Command = {
  name: "ls",
  aliases: ["list"],
  summary: "List nodes: ID  URL  REGION  AZ  LAST HEARTBEAT",
  flags: [JSON_FLAG],
  async run(ctx) {
    expectArgs(ctx, 0, 0, "no arguments");
    const { env, token } = resolveToken(ctx.flags);
    const { nodes = [] } = await apiCall<{ nodes?: Node[] }>(env.url, "POST", "/registry-svc/nodes", { token, body: {} });
    if (ctx.flags.json) return ctx.out(json(nodes));
    const now = Date.now();
    ctx.out(table(["ID", "URL", "REGION", "AZ", "LAST HEARTBEAT"], nodes.map((n) => [n.id, n.url, n.region ?? "", n.availabilityZone ?? "", age(n.lastHeartbeat, now)])));
  },
};

const remove: Command = {
  name: "rm",
  aliases: ["remove"],
  summary: "Remove a node by its URL (a running node registers itself again)",
  usage: "<url>",
  async run(ctx) {
    expectArgs(ctx, 1, 1, "<url>");
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
