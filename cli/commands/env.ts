/** @module `oo env add|ls|select|rm|current`: named servers in ~/.1backend/cliConfig.yaml. */
import type { Command, RunContext } from "../command";
import { configPath, loadConfig, saveConfig, type CliConfig } from "../config";
import { CliError, UsageError } from "../errors";
import { render, table } from "../output";

const add: Command = {
  name: "add",
  summary: "Add an environment (or update its URL) and select it",
  args: "<name> <url> [description]",
  async run(ctx) {
    const [name, url, description = ""] = ctx.positionals as [string, string, string?];
    if (!/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError(`invalid URL "${url}" (expected e.g. http://127.0.0.1:11337)`);
    const config = loadConfig(configPath());
    const existing = config.environments[name];
    config.environments[name] = { ...existing, url: url.replace(/\/+$/, ""), shortName: name, description: description || existing?.description || "" };
    config.selectedEnvironment = name;
    saveConfig(config, configPath());
    ctx.note(`${existing ? "Updated" : "Added"} environment "${name}" (${config.environments[name]!.url}) and selected it`);
  },
};

const list: Command = {
  name: "ls",
  aliases: ["list"],
  summary: "List environments; REACHABLE says whether the server answers",
  output: true,
  async run(ctx) {
    const config = loadConfig(configPath());
    const entries = Object.entries(config.environments).sort(([a], [b]) => a.localeCompare(b));
    const reachable = await Promise.all(entries.map(([, env]) => isReachable(env.url)));
    const rows = entries.map(([name, env], i) => ({ name, selected: name === config.selectedEnvironment, url: env.url, description: env.description ?? "", reachable: reachable[i]! }));
    ctx.out(render(ctx.format, rows, () => table(["ENV NAME", "SELECTED", "URL", "DESCRIPTION", "REACHABLE"], rows.map((r) => [r.name, r.selected ? "*" : "", r.url, r.description, String(r.reachable)]))));
  },
};

const select: Command = {
  name: "select",
  aliases: ["s"],
  summary: "Select the environment later commands use",
  args: "<name>",
  async run(ctx) {
    const { config, name } = namedEnvironment(ctx);
    config.selectedEnvironment = name;
    saveConfig(config, configPath());
  },
};

const remove: Command = {
  name: "rm",
  aliases: ["remove"],
  summary: "Remove an environment and its stored tokens",
  args: "<name>",
  async run(ctx) {
    const { config, name } = namedEnvironment(ctx);
    delete config.environments[name];
    if (config.selectedEnvironment === name) config.selectedEnvironment = "";
    saveConfig(config, configPath());
  },
};

const current: Command = {
  name: "current",
  aliases: ["c"],
  summary: "Show the selected environment",
  output: true,
  async run(ctx) {
    const config = loadConfig(configPath());
    const env = config.environments[config.selectedEnvironment];
    if (!env) throw new CliError(`no environment selected (see "oo env select")`);
    const row = { name: config.selectedEnvironment, url: env.url, description: env.description ?? "", user: env.selectedUser ?? "" };
    ctx.out(render(ctx.format, row, () => table(["ENV NAME", "URL", "DESCRIPTION", "USER"], [[row.name, row.url, row.description, row.user]])));
  },
};

/** `oo env …`: the environments (servers) in ~/.1backend/cliConfig.yaml. */
export const envCommand: Command = {
  name: "env",
  aliases: ["e", "environment", "environments"],
  summary: "Manage environments (1Backend servers)",
  subcommands: [add, list, select, remove, current],
};

/** The config and the one `<name>` argument of `select`/`rm`, which must name an existing environment. */
function namedEnvironment(ctx: RunContext): { config: CliConfig; name: string } {
  const name = ctx.positionals[0]!;
  const config = loadConfig(configPath());
  if (!config.environments[name]) throw new CliError(`environment "${name}" does not exist (see "oo env ls")`);
  return { config, name };
}

async function isReachable(url: string): Promise<boolean> {
  try {
    await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(1500), redirect: "manual" });
    return true;
  } catch {
    return false;
  }
}
