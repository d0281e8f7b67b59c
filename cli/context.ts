/** @module Resolving the environment, user, app host and token a command runs with (1Backend's rules). */
import { configPath, loadConfig, saveConfig, type CliConfig, type Environment } from "./config";
import { CliError } from "./errors";

/** The default app host for login and register. */
export const DEFAULT_APP_HOST = "unnamed";

/** The environment a command talks to, and the config it came from (to save changes back). */
export interface Target {
  config: CliConfig;
  envName: string;
  env: Environment;
}

/** Options as commands receive them (commander's camelCase names). */
type Flags = Record<string, string | boolean | undefined>;

/** The environment named by `--env`, else the selected one. */
export function resolveTarget(flags: Flags): Target {
  const config = loadConfig(configPath());
  const envName = typeof flags.env === "string" ? flags.env : config.selectedEnvironment;
  const env = config.environments[envName];
  if (!env) {
    throw new CliError(envName ? `environment "${envName}" does not exist (see "oo env ls")` : `no environment selected (see "oo env select")`);
  }
  return { config, envName, env };
}

/** The token of the selected user for the app host (`--app-host`, else the user's selected one). */
export function resolveToken(flags: Flags): Target & { token: string; slug: string } {
  const target = resolveTarget(flags);
  const slug = target.env.selectedUser;
  const user = slug ? target.env.users?.[slug] : undefined;
  if (!slug || !user) throw new CliError("no user selected. maybe try logging in first? (oo login <slug>)");
  const appHost = typeof flags.appHost === "string" ? flags.appHost : user.selectedAppHost || DEFAULT_APP_HOST;
  const token = user.tokensByAppHost?.[appHost];
  if (!token) throw new CliError(`no token for app host "${appHost}"; log in again (oo login ${slug})`);
  return { ...target, token, slug };
}

/**
 * The target and, when a user is logged in there, its token: raw calls work on public endpoints
 * (`oo get /health`) without a login, and send the token when there is one.
 */
export function resolveOptionalToken(flags: Flags): Target & { token?: string; slug?: string } {
  const target = resolveTarget(flags);
  const user = target.env.selectedUser ? target.env.users?.[target.env.selectedUser] : undefined;
  if (!user) return target;
  const appHost = typeof flags.appHost === "string" ? flags.appHost : user.selectedAppHost || DEFAULT_APP_HOST;
  return { ...target, token: user.tokensByAppHost?.[appHost], slug: user.slug };
}

/** Stores `token` for `slug` in the target environment and selects that user and app host. */
export function storeToken(target: Target, slug: string, appHost: string, token: string): void {
  const users = (target.env.users ??= {});
  const user = (users[slug] ??= { slug, selectedAppHost: appHost, tokensByAppHost: {} });
  user.tokensByAppHost = { ...user.tokensByAppHost, [appHost]: token };
  user.selectedAppHost = appHost;
  target.env.selectedUser = slug;
  saveConfig(target.config, configPath());
}
