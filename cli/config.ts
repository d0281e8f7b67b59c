/**
 * @module `~/.1backend/cliConfig.yaml`, in 1Backend's format: environments by name, each with its URL,
 * the selected user, and per user the tokens by app host. Written 0600 because it holds tokens.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parseYaml } from "./yaml-file";

/** A logged-in user of an environment: its tokens per app host. */
export interface CliUser {
  slug: string;
  selectedAppHost: string;
  tokensByAppHost: Record<string, string>;
}

/** A named server: its URL and the users logged in to it. */
export interface Environment {
  url: string;
  shortName: string;
  description: string;
  selectedUser?: string;
  users?: Record<string, CliUser>;
}

/** The whole cliConfig.yaml. */
export interface CliConfig {
  selectedEnvironment: string;
  environments: Record<string, Environment>;
}

/** The default environment 1Backend's CLI creates when there is none. */
export const DEFAULT_ENV: Environment = { url: "http://127.0.0.1:11337", shortName: "local", description: "" };

/** Path of the config file for a home folder (`$HOME` by default). */
export function configPath(home = process.env.HOME || homedir()): string {
  return join(home, ".1backend", "cliConfig.yaml");
}

/** Reads the config; a missing or empty file gives the default `local` environment, selected. */
export function loadConfig(path = configPath()): CliConfig {
  let parsed: Partial<CliConfig> | null = null;
  if (existsSync(path)) {
    parsed = parseYaml(readFileSync(path, "utf8"), path) as Partial<CliConfig> | null;
  }
  const environments = { ...(parsed?.environments ?? {}) };
  if (Object.keys(environments).length === 0) {
    return { selectedEnvironment: "local", environments: { local: { ...DEFAULT_ENV } } };
  }
  return { selectedEnvironment: parsed?.selectedEnvironment ?? "", environments };
}

/** Writes the config atomically (temp file + rename), mode 0600. */
export function saveConfig(config: CliConfig, path = configPath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, Bun.YAML.stringify(config, null, 2) + "\n", { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
