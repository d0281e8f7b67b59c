/** @module `oo permit ls|save`: which roles and slugs hold which permissions. */
import { apiCall } from "../api";
import { expectArgs, JSON_FLAG, type Command } from "../command";
import { resolveToken } from "../context";
import { json, table } from "../output";
import { readEntities } from "./entity-file";

interface Permit {
  id: string;
  permission?: string;
  slugs?: string[];
  roles?: string[];
  appId?: string;
}

const list: Command = {
  name: "ls",
  aliases: ["list"],
  summary: "List permits: ID  PERMISSION  SLUGS  ROLES",
  flags: [JSON_FLAG],
  async run(ctx) {
    expectArgs(ctx, 0, 0, "no arguments");
    const { env, token } = resolveToken(ctx.flags);
    const { permits = [] } = await apiCall<{ permits?: Permit[] }>(env.url, "POST", "/user-svc/permits", { token, body: {} });
    if (ctx.flags.json) return ctx.out(json(permits));
    ctx.out(table(["ID", "PERMISSION", "SLUGS", "ROLES"], permits.map((p) => [p.id, p.permission ?? "", (p.slugs ?? []).join(", "), (p.roles ?? []).join(", ")])));
  },
};

const save: Command = {
  name: "save",
  aliases: ["s"],
  summary: "Save permits from a YAML or JSON file (one permit or a list)",
  usage: "<file>",
  details: "Each permit: {id?, permission, slugs?: [...], roles?: [...], appHost?: \"*\"}",
  async run(ctx) {
    expectArgs(ctx, 1, 1, "<file>");
    const permits = readEntities(ctx.positionals[0]!);
    const { env, token } = resolveToken(ctx.flags);
    await apiCall(env.url, "PUT", "/user-svc/permits", { token, body: { permits } });
  },
};

/** `oo permit ls|save`. */
export const permitCommand: Command = {
  name: "permit",
  aliases: ["p", "permits"],
  summary: "Permits: permissions granted to roles and slugs",
  subcommands: [list, save],
};
