/** @module `oo enroll ls|save|rm`: role assignments to users and contacts. */
import { apiAnswer, apiCall } from "../api";
import type { Command } from "../command";
import { resolveToken } from "../context";
import { UsageError } from "../errors";
import { render, table } from "../output";
import { readEntities } from "./entity-file";

const WHO = [
  { flags: "--user-id <id>", description: "the user's id" },
  { flags: "--contact-id <id>", description: "the contact's id (e.g. an email), for users not yet registered" },
];

const str = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);

const list: Command = {
  name: "ls",
  aliases: ["list"],
  summary: "List enrolls: ID  ROLE  USER ID  CONTACT ID (without filters: the caller's own)",
  output: true,
  flags: [{ flags: "--role <role>", description: "only this role" }, ...WHO],
  async run(ctx) {
    const { env, token } = resolveToken(ctx.flags);
    const filter = { role: str(ctx.flags.role), userId: str(ctx.flags.userId), contactId: str(ctx.flags.contactId) };
    // The server wants a filter; with none, list the caller's own enrolls, as 1Backend's oo does.
    if (!filter.role && !filter.userId && !filter.contactId) {
      filter.userId = (await apiCall<{ user?: { id: string } }>(env.url, "POST", "/user-svc/self", { token, body: {} })).user?.id;
    }
    const { enrolls = [] } = await apiAnswer("enrolls", env.url, "POST", "/user-svc/enrolls", { token, body: filter });
    ctx.out(render(ctx.format, enrolls, () => table(["ID", "ROLE", "USER ID", "CONTACT ID"], enrolls.map((e) => [e.id, e.role, e.userId ?? "", e.contactId ?? ""]))));
  },
};

const save: Command = {
  name: "save",
  aliases: ["s"],
  summary: "Enroll a user or contact into a role, or save enrolls from a YAML/JSON file",
  args: "<role-or-file>",
  usage: "<role> --user-id <id> | <role> --contact-id <id> | <file>",
  flags: WHO,
  async run(ctx) {
    const arg = ctx.positionals[0]!;
    const userId = str(ctx.flags.userId);
    const contactId = str(ctx.flags.contactId);
    let enrolls: Record<string, unknown>[];
    if (userId || contactId) enrolls = [{ role: arg, userId, contactId }];
    else if (/\.(ya?ml|json)$/i.test(arg)) enrolls = readEntities(arg);
    else throw new UsageError("give --user-id or --contact-id with a role, or a .yaml/.json file", "oo enroll save");
    const { env, token } = resolveToken(ctx.flags);
    await apiCall(env.url, "PUT", "/user-svc/enrolls", { token, body: { enrolls } });
    ctx.note(`Saved ${enrolls.length} enroll${enrolls.length === 1 ? "" : "s"}`);
  },
};

const remove: Command = {
  name: "rm",
  aliases: ["remove"],
  summary: "Delete enrolls by id (see oo enroll ls)",
  args: "<id...>",
  async run(ctx) {
    const { env, token } = resolveToken(ctx.flags);
    await apiCall(env.url, "DELETE", "/user-svc/enrolls", { token, body: { ids: ctx.positionals } });
  },
};

/** `oo enroll ls|save|rm`. */
export const enrollCommand: Command = {
  name: "enroll",
  aliases: ["enr", "enrolls"],
  summary: "Enrolls: roles given to users and contacts",
  subcommands: [list, save, remove],
};
