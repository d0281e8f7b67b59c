/**
 * @module Raw calls: `oo get|post|put|delete PATH [--field=value…]`. For post/put/delete the flags build
 * the JSON body (`--a-b=1` → `{"a":{"b":1}}`); for get they become query parameters. The global flags
 * (`-e`, `-a`, `-o`, `--json`) are the CLI's, as on every command (1Backend's `oo` sent them to the
 * server); after `--` every argument is a field. The token goes along when there is one, so public
 * endpoints (`oo get /health`) need no login. Prints pretty JSON unless `-o` says otherwise.
 */
import { apiText } from "../api";
import type { Command, RunContext } from "../command";
import { resolveOptionalToken } from "../context";
import { ApiError, UsageError } from "../errors";
import { flagsToJson } from "../flags-to-json";
import { json, render, table, type Format } from "../output";

function rawCommand(method: "GET" | "POST" | "PUT" | "DELETE"): Command {
  const name = method.toLowerCase();
  return {
    name,
    summary: `Send ${method} PATH (with the stored token, if any) and print the answer`,
    usage: method === "GET" ? "<path> [--param=value…] [-- --param=value…]" : "<path> [--field=value…] [-- --field=value…]",
    details:
      (method === "GET"
        ? "Flags become query parameters: oo get /registry-svc/instances --slug=skeleton-svc"
        : `Flags build the JSON body; keys split on "." or "-" into nested objects, numbers and true/false are typed,\n` +
          `a repeated key makes an array: oo ${name} /user-svc/users --limit=5 --ids=usr-1 --ids=usr-2`) +
      `\n-e/--env, -a/--app-host, -o/--output and --json are oo's own flags; to send a field of that name, put it after --.` +
      `\nThe first path segment is a built-in service (user-svc, registry-svc, proxy-svc) or else the slug of a registered service.`,
    output: true,
    passThrough: true,
    async run(ctx) {
      const positional = ctx.rest.filter((a) => !a.startsWith("--"));
      const flags = ctx.rest.filter((a) => a.startsWith("--"));
      if (positional.length === 0) throw new UsageError(`"oo ${name}" needs a path, e.g. /registry-svc/instances`, `oo ${name}`);
      const path = "/" + positional.map((p) => p.replace(/^\/+|\/+$/g, "")).join("/");
      const { env, token, slug } = resolveOptionalToken(ctx.flags);
      const options = method === "GET" ? { token, query: flags.map(toQueryPair) } : { token, body: flagsToJson(flags) };
      let text: string;
      try {
        text = await apiText(env.url, method, path, options);
      } catch (err) {
        throw err instanceof ApiError ? withHint(err, path, token ? slug ?? "<slug>" : undefined) : err;
      }
      ctx.out(output(ctx, text));
    },
  };
}

/**
 * The server's error with what to do about it: log in (again), or know that the first segment meant a
 * service slug. `user` is the logged-in slug when a token was sent.
 */
function withHint(err: ApiError, path: string, user: string | undefined): ApiError {
  const slug = path.split(/[/?]/)[1] ?? "";
  let hint = "";
  if (err.status === 401) hint = user ? `\nThe stored token was refused; log in again: oo login ${user}` : "\nThis endpoint needs a login: oo login <slug>";
  // proxy.* codes come from the reverse proxy (contract §5): the path matched no built-in endpoint.
  else if (err.code?.startsWith("proxy.")) {
    hint = `\nThe first path segment "${slug}" was read as a service slug: the server proxies /${slug}/… to the instances registered ` +
      `under that slug (oo instance ls --slug ${slug}). Built-in endpoints start with /user-svc/, /registry-svc/ or /proxy-svc/ (see /swagger).`;
  }
  return hint ? new ApiError(err.message + hint, err.status, err.code) : err;
}

function toQueryPair(flag: string): [string, string] {
  const match = /^--([^=]+)=(.*)$/s.exec(flag);
  if (!match) throw new UsageError(`invalid flag format: ${flag} (expected --key=value)`);
  return [match[1]!, match[2]!];
}

/** The answer in the asked format; `-o table` tabulates a list of objects (or an object's one list), else JSON. */
function output(ctx: RunContext, text: string): string {
  if (text.trim() === "") return "";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  const format: Format = ctx.flags.output || ctx.flags.json ? ctx.format : "json";
  return render(format, value, () => {
    const rows = listIn(value);
    if (!rows) return json(value);
    const headers = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const cell = (v: unknown) => (v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
    return table(headers.map((h) => h.toUpperCase()), rows.map((r) => headers.map((h) => cell(r[h]))));
  });
}

function listIn(value: unknown): Record<string, unknown>[] | undefined {
  const isRows = (v: unknown): v is Record<string, unknown>[] => Array.isArray(v) && v.every((r) => typeof r === "object" && r !== null && !Array.isArray(r));
  if (isRows(value)) return value;
  if (typeof value !== "object" || value === null) return undefined;
  const lists = Object.values(value).filter(isRows);
  return lists.length === 1 ? lists[0] : undefined;
}

/** `oo get|post|put|delete PATH …` at the top level. */
export const rawCommands: Command[] = [rawCommand("GET"), rawCommand("POST"), rawCommand("PUT"), rawCommand("DELETE")];

/** The same four under `oo raw`. */
export const rawGroup: Command = {
  name: "raw",
  summary: "Raw HTTP calls (same as oo get|post|put|delete)",
  subcommands: rawCommands.map((c) => ({ ...c })),
};
