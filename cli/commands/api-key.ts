/** @module `oo api-key create|ls|revoke`: long-lived keys a script exchanges for tokens (POST /user-svc/api-key/exchange). */
import { apiAnswer, apiCall } from "../api";
import type { Command } from "../command";
import { resolveToken } from "../context";
import { render, table } from "../output";

const create: Command = {
  name: "create",
  summary: "Create an API key for the logged-in user and print it (shown only once)",
  output: true,
  flags: [
    { flags: "--name <name>", description: "a label to recognise the key by" },
    { flags: "--expires-at <time>", description: "expiry as an RFC 3339 time, e.g. 2027-01-01T00:00:00Z (default: never)" },
    { flags: "--user-id <id>", description: "admins: create it for another user" },
  ],
  async run(ctx) {
    const { env, token } = resolveToken(ctx.flags);
    const body = { name: ctx.flags.name, expiresAt: ctx.flags.expiresAt, userId: ctx.flags.userId };
    const created = await apiAnswer("createdApiKey", env.url, "POST", "/user-svc/api-key", { token, body });
    // The table format prints the bare key, so `KEY=$(oo api-key create)` works.
    ctx.out(render(ctx.format, created, () => created.key));
    if (ctx.format === "table") ctx.note(`Created API key ${created.apiKey.id}; it is shown only this once`);
  },
};

const list: Command = {
  name: "ls",
  aliases: ["list"],
  summary: "List API keys (never the keys themselves): ID  NAME  PREFIX  CREATED AT  EXPIRES AT  LAST USED  REVOKED AT",
  output: true,
  flags: [
    { flags: "--all", description: "include revoked keys" },
    { flags: "--user-id <id>", description: "admins: another user's keys" },
  ],
  async run(ctx) {
    const { env, token } = resolveToken(ctx.flags);
    const body = { includeRevoked: ctx.flags.all === true, userId: ctx.flags.userId };
    const { apiKeys = [] } = await apiAnswer("apiKeys", env.url, "POST", "/user-svc/api-keys", { token, body });
    ctx.out(render(ctx.format, apiKeys, () =>
      table(["ID", "NAME", "PREFIX", "CREATED AT", "EXPIRES AT", "LAST USED", "REVOKED AT"],
        apiKeys.map((k) => [k.id, k.name ?? "", k.prefix ?? "", k.createdAt ?? "", k.expiresAt ?? "", k.lastUsedAt ?? "", k.revokedAt ?? ""]))));
  },
};

const revoke: Command = {
  name: "revoke",
  aliases: ["rm"],
  summary: "Revoke API keys by id, and the tokens minted from them",
  args: "<id...>",
  async run(ctx) {
    const { env, token } = resolveToken(ctx.flags);
    await apiCall(env.url, "DELETE", "/user-svc/api-keys", { token, body: { ids: ctx.positionals } });
    ctx.note(`Revoked ${ctx.positionals.join(", ")}`);
  },
};

/** `oo api-key create|ls|revoke`. */
export const apiKeyCommand: Command = {
  name: "api-key",
  aliases: ["api-keys", "key", "keys"],
  summary: "API keys of the logged-in user",
  subcommands: [create, list, revoke],
};
