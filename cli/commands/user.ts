/** @module `oo user ls|create|rm`: the users of the server (admins). */
import { apiAnswer, apiCall } from "../api";
import type { Command } from "../command";
import { resolveToken } from "../context";
import { CliError, UsageError } from "../errors";
import { render, table } from "../output";
import { readPassword } from "../prompt";

const list: Command = {
  name: "ls",
  aliases: ["list"],
  summary: "List users: ID  SLUG  NAME  CONTACT IDS  CREATED AT",
  output: true,
  flags: [
    { flags: "--user-id <id>", description: "only this user" },
    { flags: "--contact-id <id>", description: "only the user with this contact" },
    { flags: "--limit <n>", description: "at most this many users" },
  ],
  async run(ctx) {
    const body: Record<string, unknown> = {};
    if (typeof ctx.flags.userId === "string") body.ids = [ctx.flags.userId];
    if (typeof ctx.flags.contactId === "string") body.contactId = ctx.flags.contactId;
    if (typeof ctx.flags.limit === "string") {
      const limit = Number(ctx.flags.limit);
      if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit must be a positive whole number, got ${ctx.flags.limit}`, "oo user ls");
      body.limit = limit;
    }
    const { env, token } = resolveToken(ctx.flags);
    const { users = [] } = await apiAnswer("users", env.url, "POST", "/user-svc/users", { token, body });
    ctx.out(render(ctx.format, users, () => table(["ID", "SLUG", "NAME", "CONTACT IDS", "CREATED AT"], users.map((u) => [u.id, u.slug, u.name ?? "", (u.contactIds ?? []).join(", "), u.createdAt ?? ""]))));
  },
};

const create: Command = {
  name: "create",
  aliases: ["add"],
  summary: "Create a user (admin); the password is prompted or piped when not given",
  args: "<slug> [password]",
  flags: [
    { flags: "--name <name>", description: "display name" },
    { flags: "--contact-id <email>", description: "a contact (e.g. an email address)" },
    { flags: "--role <role...>", description: "roles to enroll the user in (repeatable)" },
  ],
  async run(ctx) {
    const [slug, given] = ctx.positionals as [string, string?];
    const { env, token } = resolveToken(ctx.flags);
    const password = given ?? (await readPassword(`Password for ${slug}: `));
    const body = {
      user: { slug, name: ctx.flags.name },
      password,
      contacts: typeof ctx.flags.contactId === "string" ? [{ id: ctx.flags.contactId }] : undefined,
      roleIds: ctx.flags.role,
    };
    await apiCall(env.url, "POST", "/user-svc/user", { token, body });
    ctx.note(`Created user ${slug}`);
  },
};

const remove: Command = {
  name: "rm",
  aliases: ["remove"],
  summary: "Delete a user by slug or id (admin)",
  args: "<slug-or-id>",
  async run(ctx) {
    const key = ctx.positionals[0]!;
    const { env, token } = resolveToken(ctx.flags);
    const { users = [] } = await apiAnswer("users", env.url, "POST", "/user-svc/users", { token, body: { search: key, limit: 10 } });
    const user = users.find((u) => u.slug === key) ?? users.find((u) => u.id === key);
    if (!user) throw new CliError(`no user with slug or id "${key}" (see oo user ls)`);
    await apiCall(env.url, "DELETE", `/user-svc/user/${encodeURIComponent(user.id)}`, { token });
    ctx.note(`Deleted user ${user.slug} (${user.id})`);
  },
};

/** `oo user ls|create|rm`. */
export const userCommand: Command = {
  name: "user",
  aliases: ["u", "users"],
  summary: "Users of the server",
  subcommands: [list, create, remove],
};
