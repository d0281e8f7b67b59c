/**
 * The compiled `oo` against the compiled server: every listing and the raw calls work on the real wire
 * shapes (the unit tests in test/cli use a fake server).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI_BINARY, requireBinary, startBinary, type BinaryServer } from "../helpers/binary";
import { tempDir, type TempDir } from "../helpers/temp-dir";
import { runOo } from "../cli/run-oo";
import { VERSION } from "../../src/version";

const ADMIN_PASSWORD = "cli-e2e-admin-pw";
let dir: TempDir;
let server: BinaryServer;
let home: string;
const oo = (args: string[], stdin?: string, at = home) => runOo(args, { home: at, stdin, bin: requireBinary(CLI_BINARY) });
let homes = 0;
/** A HOME of its own (no login), with the server added as environment `e2e` and selected. */
async function freshHome(): Promise<string> {
  const at = join(dir.path, `home-${++homes}`);
  mkdirSync(at);
  expect((await oo(["env", "add", "e2e", server.url], undefined, at)).code).toBe(0);
  return at;
}
const lines = (text: string) => text.trimEnd().split("\n").map((l) => l.split(/\s{3,}/));

/**
 * `dist/oo <args>` on a pseudo-terminal (`script` gives it one), so prompts behave as for a person:
 * `answer(prompt, text)` waits until the terminal shows `prompt`, then types `text` and Return;
 * `rest()` reads to the end and returns everything the terminal showed.
 */
function terminal(args: string[]) {
  const proc = Bun.spawn(["script", "-qec", [requireBinary(CLI_BINARY), ...args].join(" "), "/dev/null"], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = proc.stdout.getReader();
  let shown = "";
  const readUntil = async (text: string | undefined) => {
    while (text === undefined || !shown.includes(text)) {
      const { value, done } = await reader.read();
      if (done) return;
      shown += new TextDecoder().decode(value);
    }
  };
  return {
    exited: proc.exited,
    async answer(prompt: string, text: string) {
      await readUntil(prompt);
      proc.stdin.write(`${text}\r`);
      proc.stdin.flush();
    },
    async rest() {
      await readUntil(undefined);
      return shown;
    },
    [Symbol.asyncDispose]: async () => void proc.kill("SIGKILL"),
  };
}

beforeAll(async () => {
  requireBinary(CLI_BINARY);
  dir = tempDir("1backend-cli-e2e-");
  home = join(dir.path, "home");
  mkdirSync(home);
  mkdirSync(join(dir.path, "server"));
  server = await startBinary({ folder: join(dir.path, "server"), env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  expect((await oo(["env", "add", "e2e", server.url])).code).toBe(0);
  expect((await oo(["login", "1backend"], `${ADMIN_PASSWORD}\n`)).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
  dir?.[Symbol.dispose]();
});

describe("oo against the real server", () => {
  test("whoami shows the admin with its roles", async () => {
    const me = JSON.parse((await oo(["whoami", "--json"])).stdout);
    expect(me).toMatchObject({ slug: "1backend", roles: expect.arrayContaining(["user-svc:admin"]), environment: "e2e" });
    expect(me.id).toMatch(/^usr-/);
  });

  test("node ls lists this server with a recent heartbeat", async () => {
    const [header, row] = lines((await oo(["node", "ls"])).stdout);
    expect(header).toEqual(["ID", "URL", "REGION", "AZ", "ALIVE", "LAST HEARTBEAT"]);
    expect(row?.[1]).toBe(server.url);
    expect(row?.at(-2)).toBe("yes");
    expect(row?.at(-1)).toMatch(/^\d+s ago$/);
  });

  test("permit ls and user ls list the bootstrap permits and the admin", async () => {
    const permits = JSON.parse((await oo(["permit", "ls", "--json"])).stdout) as { permission: string }[];
    expect(permits.map((p) => p.permission)).toContain("registry-svc:instance:edit");
    const users = lines((await oo(["user", "ls"])).stdout);
    expect(users[0]).toEqual(["ID", "SLUG", "NAME", "CONTACT IDS", "CREATED AT"]);
    expect(users.slice(1).map((r) => r[1])).toContain("1backend");
  });

  test("an instance registered with a raw put shows in instance ls and goes with instance rm", async () => {
    expect((await oo(["put", "/registry-svc/instance", "--url=http://127.0.0.1:9"])).stdout).toBe("{}\n");
    const [instance] = JSON.parse((await oo(["instance", "ls", "--json", "--slug", "1backend"])).stdout) as { id: string; url: string; slug: string }[];
    expect(instance).toMatchObject({ url: "http://127.0.0.1:9", slug: "1backend" });
    expect((await oo(["instance", "rm", instance!.id])).code).toBe(0);
    expect(JSON.parse((await oo(["instance", "ls", "--json"])).stdout)).toEqual([]);
  });

  test("login on a terminal prompts for the password without echoing it", async () => {
    await using tty = terminal(["login", "1backend"]);
    await tty.answer("Password:", ADMIN_PASSWORD);
    const shown = await tty.rest();
    expect(await tty.exited).toBe(0);
    expect(shown).toContain("Password:");
    expect(shown).not.toContain(ADMIN_PASSWORD);
  });

  test("login on a terminal without a slug prompts for it (echoed), then for the password (not echoed)", async () => {
    await using tty = terminal(["login"]);
    await tty.answer("Slug: ", "1backend");
    await tty.answer("Password:", ADMIN_PASSWORD);
    const shown = await tty.rest();
    expect(await tty.exited).toBe(0);
    expect(shown).toContain("Slug: 1backend");
    expect(shown).toContain("Logged in as 1backend");
    expect(shown).not.toContain(ADMIN_PASSWORD);
  });

  test("a non-admin gets the server's 403 message and exit 1", async () => {
    expect((await oo(["register", "cli-user", "cli-user-password"])).code).toBe(0);
    const r = await oo(["user", "ls"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: .*user-svc:user:view.*\(HTTP 403\)\n$/);
    expect((await oo(["login", "1backend"], `${ADMIN_PASSWORD}\n`)).code).toBe(0);
  });
});

describe("oo's parser: global flags anywhere, version, help, suggestions, completion", () => {
  test("-e before or after the command path picks the environment, also on raw calls (never sent as a field)", async () => {
    const at = await freshHome();
    expect((await oo(["login", "1backend", ADMIN_PASSWORD], undefined, at)).code).toBe(0);
    // The selected environment is a server that is not there: only -e can make these calls work.
    expect((await oo(["env", "add", "down", "http://127.0.0.1:1"], undefined, at)).code).toBe(0);
    const before = await oo(["-e", "e2e", "node", "ls", "-o", "json"], undefined, at);
    const after = await oo(["node", "ls", "-o", "json", "-e", "e2e"], undefined, at);
    expect(before.code).toBe(0);
    expect(JSON.parse(after.stdout).map((n: { url: string }) => n.url)).toEqual(JSON.parse(before.stdout).map((n: { url: string }) => n.url));
    // The old oo sent --env=e2e in the body to the selected (down) server.
    const echoed = await oo(["post", "/registry-svc/echo", "--env=e2e", "--name=x"], undefined, at);
    expect({ code: echoed.code, body: JSON.parse(echoed.stdout) }).toEqual({ code: 0, body: { name: "x" } });
    const short = await oo(["-e", "e2e", "put", "/registry-svc/echo", "--a-b=1"], undefined, at);
    expect(JSON.parse(short.stdout)).toEqual({ a: { b: 1 } });
    // After `--` a field of that name is sent.
    const literal = await oo(["post", "/registry-svc/echo", "-e", "e2e", "--", "--env=down"], undefined, at);
    expect(JSON.parse(literal.stdout)).toEqual({ env: "down" });
    const selected = await oo(["get", "/health"], undefined, at);
    expect(selected.code).toBe(1);
    expect(selected.stderr).toStartWith("Error: cannot reach http://127.0.0.1:1");
  });

  test("--version, help <command>, did-you-mean and usage errors exit 2", async () => {
    const version = await oo(["--version"]);
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    const help = await oo(["help", "instance", "ls"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: oo instance ls|list [options]");
    expect(help.stdout).toContain("-o, --output <format>");
    expect(await oo(["instanc", "ls"])).toEqual({ code: 2, stdout: "", stderr: "Error: unknown command 'instanc'\n(Did you mean instance?)\n" });
    expect(await oo(["instance", "ls", "--jsn"])).toEqual({ code: 2, stdout: "", stderr: "Error: unknown option '--jsn'\n(Did you mean --json?)\n" });
    expect((await oo(["instance"])).code).toBe(2);
  });

  test("completion scripts: bash completes commands, subcommands and flags; zsh and fish are generated", async () => {
    const bash = await oo(["completion", "bash"]);
    expect(bash.code).toBe(0);
    const script = join(dir.path, "oo.bash");
    writeFileSync(script, bash.stdout);
    const complete = (words: string[]) =>
      Bun.spawnSync(["bash", "-c", `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _oo_complete; echo "\${COMPREPLY[*]}"`]).stdout.toString().trim();
    expect(complete(["oo", "inst"])).toBe("instance");
    expect(complete(["oo", "-e", "prod", "i", ""])).toBe("ls rm --help");
    expect(complete(["oo", "instance", "ls", "--js"])).toBe("--json");
    expect(complete(["oo", "env", "ls", "-o", ""])).toBe("json yaml table");
    const zsh = await oo(["completion", "zsh"]);
    expect(zsh.stdout).toStartWith("#compdef oo\n");
    expect((await oo(["completion", "fish"])).stdout).toContain("complete -c oo -n 'contains -- (__oo_path) \"instance\" \"i\" \"instances\"' -a 'ls'");
    expect((await oo(["completion", "tcsh"])).code).toBe(2);
  });
});

describe("oo output and messages", () => {
  test("-o json|yaml|table on listings and raw calls; --json stays an alias", async () => {
    const asJson = JSON.parse((await oo(["permit", "ls", "-o", "json"])).stdout);
    expect(JSON.parse((await oo(["permit", "ls", "--json"])).stdout)).toEqual(asJson);
    expect(Bun.YAML.parse((await oo(["permit", "ls", "-o", "yaml"])).stdout)).toEqual(asJson);
    expect((await oo(["permit", "ls", "-o", "table"])).stdout).toStartWith("ID ");
    expect(Bun.YAML.parse((await oo(["get", "/health", "-o", "yaml"])).stdout)).toEqual(JSON.parse((await oo(["get", "/health"])).stdout));
    const table = lines((await oo(["post", "/user-svc/permits", "-o", "table"])).stdout);
    expect(table[0]).toEqual(expect.arrayContaining(["ID", "PERMISSION"]));
  });

  test("success lines on login, register, env add, permit save and enroll save; login prompts for the slug", async () => {
    const at = join(dir.path, `home-${++homes}`);
    mkdirSync(at);
    expect(await oo(["env", "add", "e2e", server.url], undefined, at)).toEqual({ code: 0, stdout: "", stderr: `Added environment "e2e" (${server.url}) and selected it\n` });
    // No slug argument: the slug, then the password, are read from stdin (a prompt on a terminal).
    expect(await oo(["login"], `1backend\n${ADMIN_PASSWORD}\n`, at)).toEqual({ code: 0, stdout: "", stderr: `Logged in as 1backend in environment "e2e" (${server.url})\n` });
    const registered = await oo(["register", "cli-lines", "cli-lines-password"], undefined, at);
    expect(registered.stderr).toBe(`Registered and logged in as cli-lines in environment "e2e" (${server.url})\n`);
    const file = join(at, "permits.yaml");
    writeFileSync(file, "- permission: cli-lines:pet:view\n  roles: [user-svc:user]\n");
    expect(await oo(["permit", "save", file], undefined, at)).toEqual({ code: 0, stdout: "", stderr: "Saved 1 permit\n" });
    expect((await oo(["enroll", "save", "cli-lines:pet-admin", "--user-id", JSON.parse((await oo(["whoami", "--json"], undefined, at)).stdout).id], undefined, at)).stderr).toBe("Saved 1 enroll\n");
  });

  test("enroll ls without filters lists the caller's own enrolls (the server wants a filter)", async () => {
    const at = await freshHome();
    expect((await oo(["register", "cli-enrolls", "cli-enrolls-password"], undefined, at)).code).toBe(0);
    const me = JSON.parse((await oo(["whoami", "--json"], undefined, at)).stdout);
    expect((await oo(["enroll", "save", "cli-enrolls:keeper", "--user-id", me.id], undefined, at)).code).toBe(0);
    const r = await oo(["enroll", "ls", "-o", "json"], undefined, at);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect((JSON.parse(r.stdout) as { role: string; userId: string }[]).map((e) => [e.role, e.userId])).toEqual([["cli-enrolls:keeper", me.id]]);
    // The admin's own: its admin role.
    const admin = lines((await oo(["enroll", "ls"])).stdout);
    expect(admin[0]).toEqual(["ID", "ROLE", "USER ID", "CONTACT ID"]);
    expect(admin.slice(1).map((row) => row[1])).toContain("user-svc:admin");
  });

  test("errors name what to do: a YAML error its line, an unknown first segment the slug reading", async () => {
    const bad = join(dir.path, "bad.yaml");
    writeFileSync(bad, "- permission: a:b\n  roles: [x\n- permission: c:d\n");
    const yaml = await oo(["permit", "save", bad]);
    expect({ code: yaml.code, stderr: yaml.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(new RegExp(`^Error: cannot parse ${bad}: line 3, column 1: `)) });
    const slug = await oo(["post", "/nonexistent"]);
    expect(slug.code).toBe(1);
    expect(slug.stderr).toContain('The first path segment "nonexistent" was read as a service slug');
    expect(slug.stderr).toContain("/user-svc/, /registry-svc/ or /proxy-svc/");
  });

  test("raw calls on public endpoints work without a login; protected ones say to log in", async () => {
    const at = await freshHome();
    const health = await oo(["get", "/health"], undefined, at);
    expect({ code: health.code, status: JSON.parse(health.stdout).status }).toEqual({ code: 0, status: "ok" });
    const key = await oo(["get", "/user-svc/public-key"], undefined, at);
    expect(JSON.parse(key.stdout).publicKey).toContain("PUBLIC KEY");
    const guarded = await oo(["post", "/user-svc/self"], undefined, at);
    expect(guarded.code).toBe(1);
    expect(guarded.stderr).toEndWith("(HTTP 401)\nThis endpoint needs a login: oo login <slug>\n");
    // A stored token the server refuses: say to log in again.
    expect((await oo(["login", "1backend", ADMIN_PASSWORD], undefined, at)).code).toBe(0);
    const config = join(at, ".1backend", "cliConfig.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace(/unnamed: .+/, "unnamed: not.a-valid.token"));
    const refused = await oo(["post", "/user-svc/self"], undefined, at);
    expect(refused.stderr).toEndWith("(HTTP 401)\nThe stored token was refused; log in again: oo login 1backend\n");
  });
});

describe("oo's new commands", () => {
  test("passwd changes the caller's password: the new one logs in, the old one no longer does", async () => {
    const at = await freshHome();
    expect((await oo(["register", "cli-passwd", "cli-passwd-old-1"], undefined, at)).code).toBe(0);
    expect(await oo(["passwd"], "cli-passwd-old-1\ncli-passwd-new-2\n", at)).toEqual({ code: 0, stdout: "", stderr: "Password of cli-passwd changed\n" });
    expect((await oo(["login", "cli-passwd", "cli-passwd-old-1"], undefined, at)).code).toBe(1);
    expect((await oo(["login", "cli-passwd", "cli-passwd-new-2"], undefined, at)).code).toBe(0);
    const wrong = await oo(["passwd"], "not-the-password\nwhatever-else-3\n", at);
    expect({ code: wrong.code, stderr: wrong.stderr }).toEqual({ code: 1, stderr: "Error: the current password is not correct (HTTP 400)\n" });
  });

  test("permit rm and enroll rm delete by id", async () => {
    const file = join(dir.path, "permit-rm.yaml");
    writeFileSync(file, "id: perm-cli-rm\npermission: cli-rm:thing:view\nslugs: [some-svc]\n");
    expect((await oo(["permit", "save", file])).code).toBe(0);
    const ids = async () => (JSON.parse((await oo(["permit", "ls", "--json"])).stdout) as { id: string }[]).map((p) => p.id);
    expect(await ids()).toContain("perm-cli-rm");
    // Only the permission's owner (a slug prefix) or an admin may delete it.
    const other = await freshHome();
    expect((await oo(["register", "cli-rm-other", "cli-rm-other-password"], undefined, other)).code).toBe(0);
    const refused = await oo(["permit", "rm", "perm-cli-rm"], undefined, other);
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/does not own permission cli-rm:thing:view.*\(HTTP 403\)\n$/) });
    expect(await ids()).toContain("perm-cli-rm");
    expect((await oo(["permit", "rm", "perm-cli-rm"])).code).toBe(0);
    expect(await ids()).not.toContain("perm-cli-rm");
    expect((await oo(["permit", "rm", "perm-cli-rm"])).stderr).toBe("Error: permit perm-cli-rm not found (HTTP 404)\n");

    const me = JSON.parse((await oo(["whoami", "--json"])).stdout).id as string;
    expect((await oo(["enroll", "save", "cli-rm:helper", "--user-id", me])).code).toBe(0);
    const enrolls = JSON.parse((await oo(["enroll", "ls", "--role", "cli-rm:helper", "--json"])).stdout) as { id: string }[];
    expect(enrolls).toHaveLength(1);
    expect((await oo(["enroll", "rm", enrolls[0]!.id])).code).toBe(0);
    expect(JSON.parse((await oo(["enroll", "ls", "--role", "cli-rm:helper", "--json"])).stdout)).toEqual([]);
  });

  test("api-key create prints the key once; ls lists it; revoke ends it", async () => {
    const created = await oo(["api-key", "create", "--name", "ci"]);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key.length).toBeGreaterThan(20);
    const [listed] = (JSON.parse((await oo(["api-key", "ls", "--json"])).stdout) as { id: string; name: string; revokedAt?: string }[]).filter((k) => k.name === "ci");
    expect(created.stderr).toBe(`Created API key ${listed!.id}; it is shown only this once\n`);
    const exchanged = await fetch(`${server.url}/user-svc/api-key/exchange`, { method: "POST", headers: { authorization: `Bearer ${key}` } });
    expect(exchanged.status).toBe(200);
    expect((await oo(["api-key", "revoke", listed!.id])).code).toBe(0);
    expect((JSON.parse((await oo(["api-key", "ls", "--json"])).stdout) as { id: string }[]).map((k) => k.id)).not.toContain(listed!.id);
    const all = JSON.parse((await oo(["api-key", "ls", "--all", "--json"])).stdout) as { id: string; revokedAt?: string }[];
    expect(all.find((k) => k.id === listed!.id)?.revokedAt).toBeTruthy();
    expect((await fetch(`${server.url}/user-svc/api-key/exchange`, { method: "POST", headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
  });

  test("user create and user rm (by slug)", async () => {
    expect(await oo(["user", "create", "cli-made", "cli-made-password", "--name", "Made"])).toEqual({ code: 0, stdout: "", stderr: "Created user cli-made\n" });
    const slugs = async () => lines((await oo(["user", "ls"])).stdout).slice(1).map((r) => r[1]);
    expect(await slugs()).toContain("cli-made");
    const at = await freshHome();
    expect((await oo(["login", "cli-made", "cli-made-password"], undefined, at)).code).toBe(0);
    const removed = await oo(["user", "rm", "cli-made"]);
    expect(removed.code).toBe(0);
    expect(removed.stderr).toMatch(/^Deleted user cli-made \(usr-[^)]+\)\n$/);
    expect(await slugs()).not.toContain("cli-made");
    expect((await oo(["user", "rm", "cli-made"])).stderr).toBe('Error: no user with slug or id "cli-made" (see oo user ls)\n');
  });
});
