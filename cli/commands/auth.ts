/** @module `oo login`, `oo register`, `oo whoami`, `oo token`: the user's session in the selected environment. */
import { apiCall } from "../api";
import { expectArgs, JSON_FLAG, type Command, type RunContext } from "../command";
import { DEFAULT_APP_HOST, resolveTarget, resolveToken, storeToken } from "../context";
import { CliError } from "../errors";
import { json, yaml } from "../output";
import { readPassword } from "../prompt";

interface TokenResponse {
  token?: { token: string };
}

const appHostOf = (ctx: RunContext) => (typeof ctx.flags["app-host"] === "string" ? ctx.flags["app-host"] : DEFAULT_APP_HOST);

/**
 * `oo login` and `oo register`: sends `<slug> [password]` (password prompted or piped when absent) to
 * `path` and stores the token it answers with, selecting that user.
 */
async function signIn(ctx: RunContext, path: "/user-svc/login" | "/user-svc/register", extra: Record<string, unknown> = {}): Promise<void> {
  expectArgs(ctx, 1, 2, "<slug> [password]");
  const [slug, given] = ctx.positionals as [string, string?];
  const target = resolveTarget(ctx.flags);
  const password = given ?? (await readPassword());
  const appHost = appHostOf(ctx);
  const body = { appHost, slug, password, device: "cli", ...extra };
  const token = (await apiCall<TokenResponse>(target.env.url, "POST", path, { body })).token?.token;
  if (!token) throw new CliError(`the server answered ${path} without a token`);
  storeToken(target, slug, appHost, token);
}

/** `oo login <slug> [password]`. */
export const loginCommand: Command = {
  name: "login",
  summary: "Log in and store the token for the selected environment",
  usage: "<slug> [password]",
  details: "Without a password argument it is read from a prompt (not echoed) or from stdin: echo \"$PW\" | oo login 1backend",
  run: (ctx) => signIn(ctx, "/user-svc/login"),
};

/** `oo register <slug> [password] [--name …]`. */
export const registerCommand: Command = {
  name: "register",
  summary: "Register a new user and store its token",
  usage: "<slug> [password]",
  flags: [{ name: "name", value: true, description: "display name" }],
  run: (ctx) => signIn(ctx, "/user-svc/register", { name: typeof ctx.flags.name === "string" ? ctx.flags.name : undefined }),
};

/** `oo whoami`: the logged-in user as the server sees it. */
export const whoamiCommand: Command = {
  name: "whoami",
  summary: "Show the logged-in user: slug, id, roles and app",
  flags: [JSON_FLAG],
  async run(ctx) {
    expectArgs(ctx, 0, 0, "no arguments");
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
    ctx.out(ctx.flags.json ? json(info) : yaml(info).trimEnd());
  },
};

/** `oo token`: prints the stored token (for scripts: curl -H "Authorization: Bearer $(oo token)"). */
export const tokenCommand: Command = {
  name: "token",
  summary: "Print the stored token of the selected user",
  async run(ctx) {
    expectArgs(ctx, 0, 0, "no arguments");
    ctx.out(resolveToken(ctx.flags).token);
  },
};

function decodeClaims(token: string): Record<string, any> {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
  } catch {
    return {};
  }
}
