/** @module `oo instance ls|rm`: the service instances in the registry. */
import { apiAnswer, apiCall } from "../api";
import type { Command } from "../command";
import { resolveToken } from "../context";
import { age, render, table } from "../output";

const FILTERS = ["slug", "host", "ip", "deploymentId", "region", "path", "id"] as const;

const list: Command = {
  name: "ls",
  aliases: ["list"],
  summary: "List instances: ID  URL  STATUS  OWNER SLUG  [REGION]  LAST HEARTBEAT",
  output: true,
  flags: FILTERS.map((f) => ({ flags: `--${f} <${f}>`, description: `only instances with this ${f}` })),
  async run(ctx) {
    const { env, token } = resolveToken(ctx.flags);
    const query: Record<string, string> = {};
    for (const f of FILTERS) if (typeof ctx.flags[f] === "string") query[f] = ctx.flags[f] as string;
    const { instances = [] } = await apiAnswer("instances", env.url, "GET", "/registry-svc/instances", { token, query });
    const now = Date.now();
    // REGION only when some instance has one: without regions the table stays as it always was.
    const regions = instances.some((i) => i.region);
    const header = ["ID", "URL", "STATUS", "OWNER SLUG", ...(regions ? ["REGION"] : []), "LAST HEARTBEAT"];
    const rows = instances.map((i) => [i.id, i.url, i.status, i.slug ?? "", ...(regions ? [i.region ?? ""] : []), age(i.lastHeartbeat, now)]);
    ctx.out(render(ctx.format, instances, () => table(header, rows)));
  },
};

const remove: Command = {
  name: "rm",
  aliases: ["remove"],
  summary: "Remove an instance from the registry (its owner or an admin)",
  args: "<id>",
  async run(ctx) {
    const { env, token } = resolveToken(ctx.flags);
    await apiCall(env.url, "DELETE", `/registry-svc/instance/${encodeURIComponent(ctx.positionals[0]!)}`, { token });
  },
};

/** `oo instance ls|rm`. */
export const instanceCommand: Command = {
  name: "instance",
  aliases: ["i", "instances"],
  summary: "Service instances registered with the server",
  subcommands: [list, remove],
};
