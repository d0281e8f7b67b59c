/** @module `oo user ls`: the users of the server (admins). */
import { apiCall } from "../api";
import { expectArgs, JSON_FLAG, type Command } from "../command";
import { resolveToken } from "../context";
import { UsageError } from "../errors";
import { json, table } from "../output";

interface UserRecord {
  id: string;
  slug: string;
  name?: string;
  contactIds?: string[];
  createdAt?: string;
}

const list: Command = {
  name: "ls",
  aliases: ["list"],
  summary: "List users: ID  SLUG  NAME  CONTACT IDS  CREATED AT",
  flags: [
    JSON_FLAG,
    { name: "user-id", value: true, description: "only this user" },
    { name: "contact-id", value: true, description: "only the user with this contact" },
    { name: "limit", value: true, description: "at most this many users" },
  ],
  async run(ctx) {
    expectArgs(ctx, 0, 0, "no arguments");
    const body: Record<string, unknown> = {};
    if (typeof ctx.flags["user-id"] === "string") body.ids = [ctx.flags["user-id"]];
    if (typeof ctx.flags["contact-id"] === "string") body.contactId = ctx.flags["contact-id"];
    if (typeof ctx.flags.limit === "string") {
      const limit = Number(ctx.flags.limit);
      if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit must be a positive whole number, got ${ctx.flags.limit}`);
      body.limit = limit;
    }
    const { env, token } = resolveToken(ctx.flags);
    const { users = [] } = await apiCall<{ users?: UserRecord[] }>(env.url, "POST", "/user-svc/users", { token, body });
    if (ctx.flags.json) return ctx.out(json(users));
    ctx.out(table(["ID", "SLUG", "NAME", "CONTACT IDS", "CREATED AT"], users.map((u) => [u.id, u.slug, u.name ?? "", (u.contactIds ?? []).join(", "), u.createdAt ?? ""])));
  },
};

/** `oo user ls`. */
export const userCommand: Command = {
  name: "user",
  aliases: ["u", "users"],
  summary: "Users of the server",
  subcommands: [list],
};
