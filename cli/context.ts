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

/** The environment named by `--env`, else the selected one. */
export function resolveTarget(flags: Record<string, string | true>): Target {
  const config = loadConfig(configPath());
  const envName = typeof flags.env === "string" ? flags.env : config.selectedEnvironment;
  const env = config.environments[envName];
  if (!env) {
    throw new CliError(envName ? `environment "${envName}" does not exist (see "oo env ls")` : `no environment selected (see "oo env select")`);
  }
  return { config, envName, env };
}

/** The token of the selected user for the app host (`--app-host`, else the user's selected one). */
export function resolveToken(flags: Record<string, string | true>): Target & { token: string; slug: string } {
  const target = resolveTarget(flags);
  const slug = target.env.selectedUser;
  const user = slug ? target.env.users?.[slug] : undefined;
  if (!slug || !user) throw new CliError("no user selected. maybe try logging in first? (oo login <slug>)");
  const appHost = typeof flags["app-host"] === "string" ? flags["app-host"] : user.selectedAppHost || DEFAULT_APP_HOST;
  const token = user.tokensByAppHost?.[appHost];
  if (!token) throw new CliError(`no token for app host "${appHost}"; log in again (oo login ${slug})`);
  return { ...target, token, slug };
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
