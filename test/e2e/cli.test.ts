/**
 * The compiled `oo` against the compiled server: every listing and the raw calls work on the real wire
 * shapes (the unit tests in test/cli use a fake server).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CLI_BINARY, requireBinary, startBinary, type BinaryServer } from "../helpers/binary";
import { tempDir, type TempDir } from "../helpers/temp-dir";
import { runOo } from "../cli/run-oo";

const ADMIN_PASSWORD = "cli-e2e-admin-pw";
let dir: TempDir;
let server: BinaryServer;
let home: string;
const oo = (args: string[], stdin?: string) => runOo(args, { home, stdin, bin: requireBinary(CLI_BINARY) });
const lines = (text: string) => text.trimEnd().split("\n").map((l) => l.split(/\s{3,}/));

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
    expect(header).toEqual(["ID", "URL", "REGION", "AZ", "LAST HEARTBEAT"]);
    expect(row?.[1]).toBe(server.url);
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
    // `script` gives oo a pseudo-terminal; the password must not come back in what the terminal shows.
    const proc = Bun.spawn(["script", "-qec", `${requireBinary(CLI_BINARY)} login 1backend`, "/dev/null"], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const reader = proc.stdout.getReader();
      let shown = "";
      while (!shown.includes("Password:")) {
        const { value, done } = await reader.read();
        if (done) break;
        shown += new TextDecoder().decode(value);
      }
      proc.stdin.write(`${ADMIN_PASSWORD}\r`);
      proc.stdin.flush();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        shown += new TextDecoder().decode(value);
      }
      expect(await proc.exited).toBe(0);
      expect(shown).toContain("Password:");
      expect(shown).not.toContain(ADMIN_PASSWORD);
    } finally {
      proc.kill("SIGKILL");
    }
  });

  test("a non-admin gets the server's 403 message and exit 1", async () => {
    expect((await oo(["register", "cli-user", "cli-user-password"])).code).toBe(0);
    const r = await oo(["user", "ls"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: .*user-svc:user:view.*\(HTTP 403\)\n$/);
    expect((await oo(["login", "1backend"], `${ADMIN_PASSWORD}\n`)).code).toBe(0);
  });
});
