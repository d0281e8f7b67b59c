/**
 * @module Raw calls: `oo get|post|put|delete PATH [--field=value…]`. For post/put/delete the flags build
 * the JSON body (`--a-b=1` → `{"a":{"b":1}}`); for get they become query parameters. Prints pretty JSON.
 */
import { apiText } from "../api";
import type { Command } from "../command";
import { resolveToken } from "../context";
import { UsageError } from "../errors";
import { flagsToJson } from "../flags-to-json";
import { json } from "../output";

function rawCommand(method: "GET" | "POST" | "PUT" | "DELETE"): Command {
  const name = method.toLowerCase();
  return {
    name,
    summary: `Send ${method} to the selected server with the stored token and print the JSON answer`,
    usage: method === "GET" ? "<path> [--param=value…]" : "<path> [--field=value…]",
    details:
      method === "GET"
        ? "Flags become query parameters: oo get /registry-svc/instances --slug=skeleton-svc"
        : `Flags build the JSON body; keys split on "." or "-" into nested objects, numbers and true/false are typed,\n` +
          `a repeated key makes an array: oo ${name} /user-svc/users --limit=5 --ids=usr-1 --ids=usr-2`,
    rawArgs: true,
    async run(ctx) {
      const positional = ctx.rest.filter((a) => !a.startsWith("--"));
      const flags = ctx.rest.filter((a) => a.startsWith("--"));
      if (positional.length === 0) throw new UsageError(`"oo ${name}" needs a path, e.g. /registry-svc/instances`, `oo ${name}`);
      const path = "/" + positional.map((p) => p.replace(/^\/+|\/+$/g, "")).join("/");
      const { env, token } = resolveToken({});
      const options =
        method === "GET"
          ? { token, query: flags.map(toQueryPair) }
          : { token, body: flagsToJson(flags) };
      const text = await apiText(env.url, method, path, options);
      ctx.out(pretty(text));
    },
  };
}

function toQueryPair(flag: string): [string, string] {
  const match = /^--([^=]+)=(.*)$/s.exec(flag);
  if (!match) throw new UsageError(`invalid flag format: ${flag} (expected --key=value)`);
  return [match[1]!, match[2]!];
}

function pretty(text: string): string {
  if (text.trim() === "") return "";
  try {
    return json(JSON.parse(text));
  } catch {
    return text;
  }
}

/** `oo get|post|put|delete PATH …` at the top level. */
export const rawCommands: Command[] = [rawCommand("GET"), rawCommand("POST"), rawCommand("PUT"), rawCommand("DELETE")];

/** The same four under `oo raw`. */
export const rawGroup: Command = {
  name: "raw",
  summary: "Raw HTTP calls (same as oo get|post|put|delete)",
  subcommands: rawCommands,
};
