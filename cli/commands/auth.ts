/** @module `oo login`, `oo register`, `oo whoami`, `oo token`, `oo passwd`: the user's session in the selected environment. */
import { apiAnswer, apiCall } from "../api";
import type { TokenClaims } from "../../src/contracts/user/token-claims";
import type { Command, RunContext } from "../command";
import { DEFAULT_APP_HOST, resolveTarget, resolveToken, storeToken } from "../context";
import { CliError } from "../errors";
import { render, yaml } from "../output";
import { readLine, readPassword } from "../prompt";

const appHostOf = (ctx: RunContext) => (typeof ctx.flags.appHost === "string" ? ctx.flags.appHost : DEFAULT_APP_HOST);

/**
 * `oo login` and `oo register`: sends `[slug] [password]` (each prompted, or read from piped stdin, when
 * absent) to `path` and stores the token it answers with, selecting that user.
 */
async function signIn(ctx: RunContext, path: "/user-svc/login" | "/user-svc/register", extra: Record<string, unknown> = {}): Promise<string> {
  const target = resolveTarget(ctx.flags);
  const slug = ctx.positionals[0] ?? (await readLine("Slug: ", "slug"));
  const password = ctx.positionals[1] ?? (await readPassword());
  const appHost = appHostOf(ctx);
  const body = { appHost, slug, password, device: "cli", ...extra };
  const token = (await apiAnswer("token", target.env.url, "POST", path, { body })).token?.token;
  if (!token) throw new CliError(`the server answered ${path} without a token`);
  storeToken(target, slug, appHost, token);
  return `${slug} in environment "${target.envName}" (${target.env.url})`;
}

/** `oo login [slug] [password]`. */
export const loginCommand: Command = {
  name: "login",
  summary: "Log in and store the token for the selected environment",
  args: "[slug] [password]",
  details: "Missing arguments are prompted for (the password without echo) or read line by line from stdin:\n" +
    '  echo "$PW" | oo login 1backend\n  printf "%s\\n" 1backend "$PW" | oo login',
  async run(ctx) {
    ctx.note(`Logged in as ${await signIn(ctx, "/user-svc/login")}`);
  },
};

/** `oo register [slug] [password] [--name …]`. */
export const registerCommand: Command = {
  name: "register",
  summary: "Register a new user and store its token",
  args: "[slug] [password]",
  flags: [{ flags: "--name <name>", description: "display name" }],
  async run(ctx) {
    ctx.note(`Registered and logged in as ${await signIn(ctx, "/user-svc/register", { name: typeof ctx.flags.name === "string" ? ctx.flags.name : undefined })}`);
  },
};

/** `oo passwd`: changes the caller's password (the stored token stays valid; other sessions end). */
export const passwdCommand: Command = {
  name: "passwd",
  summary: "Change the logged-in user's password (other sessions of the user end)",
  details: "Prompts for the current password and the new one twice (no echo); from piped stdin it reads\n" +
    'the current password, then the new one: printf "%s\\n" "$OLD" "$NEW" | oo passwd',
  async run(ctx) {
    const { env, token, slug } = resolveToken(ctx.flags);
    const currentPassword = await readPassword("Current password: ");
    const newPassword = await readPassword("New password: ");
    if (process.stdin.isTTY && (await readPassword("New password again: ")) !== newPassword) throw new CliError("the new passwords differ; nothing changed");
    await apiCall(env.url, "POST", "/user-svc/change-password", { token, body: { currentPassword, newPassword } });
    ctx.note(`Password of ${slug} changed`);
  },
};

/** `oo whoami`: the logged-in user as the server sees it. */
export const whoamiCommand: Command = {
  name: "whoami",
  summary: "Show the logged-in user: slug, id, roles and app",
  output: true,
  async run(ctx) {
    const { env, token, envName } = resolveToken(ctx.flags);
    const self = await apiCall<{ user?: { id: string; slug: string }; roles?: string[] }>(env.url, "POST", "/user-svc/self", { token, body: {} });
    const claims = decodeClaims(token);
    const info = {
      slug: self.user?.slug ?? claims["1sl"],
      id: self.user?.id ?? claims["1ui"],
      roles: self.roles ?? claims["1ro"] ?? [],
      appId: claims["1ai"],
      environment: envName,
    };
    // 1Backend's whoami prints YAML; that stays the default here.
    ctx.out(render(ctx.format, info, () => yaml(info)));
  },
};

/** `oo token`: prints the stored token (for scripts: curl -H "Authorization: Bearer $(oo token)"). */
export const tokenCommand: Command = {
  name: "token",
  summary: "Print the stored token of the selected user",
  async run(ctx) {
    ctx.out(resolveToken(ctx.flags).token);
  },
};

/** The claims of the stored token, unverified: shown only where the server's answer lacks them. */
function decodeClaims(token: string): Partial<TokenClaims> {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
  } catch {
    return {};
  }
}
