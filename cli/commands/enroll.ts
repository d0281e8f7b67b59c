/** @module `oo enroll ls|save`: role assignments to users and contacts. */
import { apiCall } from "../api";
import { expectArgs, JSON_FLAG, type Command } from "../command";
import { resolveToken } from "../context";
import { UsageError } from "../errors";
import { json, table } from "../output";
import { readEntities } from "./entity-file";

interface Enroll {
  id: string;
  role: string;
  userId?: string;
  contactId?: string;
}

const WHO = [
  { name: "user-id", value: true, description: "the user's id" },
  { name: "contact-id", value: true, description: "the contact's id (e.g. an email), for users not yet registered" },
];

const str = (v: string | true | undefined) => (typeof v === "string" ? v : undefined);

const list: Command = {
  name: "ls",
  aliases: ["list"],
  summary: "List enrolls: ID  ROLE  USER ID  CONTACT ID",
  flags: [JSON_FLAG, { name: "role", value: true, description: "only this role" }, ...WHO],
  async run(ctx) {
    expectArgs(ctx, 0, 0, "no arguments");
    const { env, token } = resolveToken(ctx.flags);
    const body = { role: str(ctx.flags.role), userId: str(ctx.flags["user-id"]), contactId: str(ctx.flags["contact-id"]) };
    const { enrolls = [] } = await apiCall<{ enrolls?: Enroll[] }>(env.url, "POST", "/user-svc/enrolls", { token, body });
    if (ctx.flags.json) return ctx.out(json(enrolls));
    ctx.out(table(["ID", "ROLE", "USER ID", "CONTACT ID"], enrolls.map((e) => [e.id, e.role, e.userId ?? "", e.contactId ?? ""])));
  },
};

const save: Command = {
  name: "save",
  aliases: ["s"],
  summary: "Enroll a user or contact into a role, or save enrolls from a YAML/JSON file",
  usage: "<role> --user-id <id> | <role> --contact-id <id> | <file>",
  flags: WHO,
  async run(ctx) {
    expectArgs(ctx, 1, 1, "<role> or <file>");
    const arg = ctx.positionals[0]!;
    const userId = str(ctx.flags["user-id"]);
    const contactId = str(ctx.flags["contact-id"]);
    let enrolls: Record<string, unknown>[];
    if (userId || contactId) enrolls = [{ role: arg, userId, contactId }];
    else if (/\.(ya?ml|json)$/i.test(arg)) enrolls = readEntities(arg);
    else throw new UsageError("give --user-id or --contact-id with a role, or a .yaml/.json file");
    const { env, token } = resolveToken(ctx.flags);
    await apiCall(env.url, "PUT", "/user-svc/enrolls", { token, body: { enrolls } });
  },
};

/** `oo enroll ls|save`. */
export const enrollCommand: Command = {
  name: "enroll",
  aliases: ["enr", "enrolls"],
  summary: "Enrolls: roles given to users and contacts",
  subcommands: [list, save],
};
