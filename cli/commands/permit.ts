/** @module `oo permit ls|save|rm`: which roles and slugs hold which permissions. */
import { apiAnswer, apiCall } from "../api";
import type { Command } from "../command";
import { resolveToken } from "../context";
import { render, table } from "../output";
import { readEntities } from "./entity-file";

const list: Command = {
  name: "ls",
  aliases: ["list"],
  summary: "List permits: ID  PERMISSION  SLUGS  ROLES",
  output: true,
  flags: [
    { flags: "--permission <permission>", description: "only permits of this permission" },
    { flags: "--slug <slug>", description: "only permits granted to this slug" },
  ],
  async run(ctx) {
    const { env, token } = resolveToken(ctx.flags);
    const body = { permission: ctx.flags.permission, slug: ctx.flags.slug };
    const { permits = [] } = await apiAnswer("permits", env.url, "POST", "/user-svc/permits", { token, body });
    ctx.out(render(ctx.format, permits, () => table(["ID", "PERMISSION", "SLUGS", "ROLES"], permits.map((p) => [p.id, p.permission ?? "", (p.slugs ?? []).join(", "), (p.roles ?? []).join(", ")]))));
  },
};

const save: Command = {
  name: "save",
  aliases: ["s"],
  summary: "Save permits from a YAML or JSON file (one permit or a list)",
  args: "<file>",
  details: "Each permit: {id?, permission, slugs?: [...], roles?: [...], appHost?: \"*\"}",
  async run(ctx) {
    const permits = readEntities(ctx.positionals[0]!);
    const { env, token } = resolveToken(ctx.flags);
    await apiCall(env.url, "PUT", "/user-svc/permits", { token, body: { permits } });
    ctx.note(`Saved ${permits.length} permit${permits.length === 1 ? "" : "s"}`);
  },
};

const remove: Command = {
  name: "rm",
  aliases: ["remove"],
  summary: "Delete permits by id (see oo permit ls)",
  args: "<id...>",
  async run(ctx) {
    const { env, token } = resolveToken(ctx.flags);
    await apiCall(env.url, "DELETE", "/user-svc/permits", { token, body: { ids: ctx.positionals } });
  },
};

/** `oo permit ls|save|rm`. */
export const permitCommand: Command = {
  name: "permit",
  aliases: ["p", "permits"],
  summary: "Permits: permissions granted to roles and slugs",
  subcommands: [list, save, remove],
};
