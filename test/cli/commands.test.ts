import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/temp-dir";
import { fake1Backend } from "../sdk/fake-1backend";
import { runOo } from "./run-oo";

/** Every whole number from `first` to `last`: the ages a table printed between two clock readings may show. */
function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

/** A fake server, a temp HOME, and `oo env add test <url>` already done. */
async function setup() {
  const server = await fake1Backend({ adminPassword: "secret-pw" });
  const home = tempDir();
  const oo = (args: string[], stdin?: string) => runOo(args, { home: home.path, stdin });
  const dispose = async () => {
    await server[Symbol.asyncDispose]();
    home[Symbol.dispose]();
  };
  const added = await oo(["env", "add", "test", server.url]);
  if (added.code !== 0) {
    await dispose(); // the caller never gets the handle: clean up here
    throw new Error(added.stderr);
  }
  return {
    server, home: home.path, oo,
    login: () => oo(["login", "1backend"], "secret-pw\n"),
    [Symbol.asyncDispose]: dispose,
  };
}

describe("oo env", () => {
  test("add selects the new environment; select, ls and rm manage the list", async () => {
    await using t = await setup();
    // The default `local` is the default port, where a developer's own server may be running: re-point it.
    expect((await t.oo(["env", "add", "local", "http://127.0.0.1:1"])).code).toBe(0);
    expect((await t.oo(["env", "add", "other", "http://127.0.0.1:1", "unused server"])).code).toBe(0);
    expect(JSON.parse((await t.oo(["env", "current", "--json"])).stdout).name).toBe("other");
    expect((await t.oo(["env", "select", "test"])).code).toBe(0);
    const ls = await t.oo(["env", "ls"]);
    expect(ls.stdout.split("\n").map((l) => l.split(/\s{3,}/))).toEqual([
      ["ENV NAME", "SELECTED", "URL", "DESCRIPTION", "REACHABLE"],
      ["local", "http://127.0.0.1:1", "false"],
      ["other", "http://127.0.0.1:1", "unused server", "false"],
      ["test", "*", t.server.url, "true"],
      [""],
    ]);
    const asJson = JSON.parse((await t.oo(["env", "ls", "--json"])).stdout);
    expect(asJson.find((e: { name: string }) => e.name === "test")).toEqual({ name: "test", selected: true, url: t.server.url, description: "", reachable: true });
    expect((await t.oo(["env", "rm", "other"])).code).toBe(0);
    const missing = await t.oo(["env", "select", "other"]);
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 1, stderr: 'Error: environment "other" does not exist (see "oo env ls")\n' });
  });
});

describe("oo login / whoami / token", () => {
  test("login reads the password from stdin and stores the token in cliConfig.yaml", async () => {
    await using t = await setup();
    const login = await t.login();
    expect(login).toEqual({ code: 0, stdout: "", stderr: `Logged in as 1backend in environment "test" (${t.server.url})\n` });
    const config = Bun.YAML.parse(readFileSync(join(t.home, ".1backend", "cliConfig.yaml"), "utf8")) as any;
    const token = config.environments.test.users["1backend"].tokensByAppHost.unnamed;
    expect(config.environments.test.selectedUser).toBe("1backend");
    expect((await t.oo(["token"])).stdout).toBe(`${token}\n`);
    const whoami = await t.oo(["whoami", "--json"]);
    expect(JSON.parse(whoami.stdout)).toEqual({ slug: "1backend", id: "usr-admin", roles: ["user-svc:user", "user-svc:admin"], appId: "app-1", environment: "test" });
    expect((await t.oo(["whoami"])).stdout).toContain("slug: 1backend");
  });

  test("a wrong password exits 1 with the server's message", async () => {
    await using t = await setup();
    const r = await t.oo(["login", "1backend", "wrong"]);
    expect(r).toEqual({ code: 1, stdout: "", stderr: "Error: invalid slug or password (HTTP 401)\n" });
  });

  test("register creates the account and selects it", async () => {
    await using t = await setup();
    expect((await t.oo(["register", "alice", "alice-password"])).code).toBe(0);
    expect(JSON.parse((await t.oo(["whoami", "--json"])).stdout).slug).toBe("alice");
    const again = await t.oo(["register", "alice", "alice-password"]);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 1, stderr: 'Error: slug "alice" is already taken (HTTP 409)\n' });
  });

  test("commands needing a token say to log in first", async () => {
    await using t = await setup();
    const r = await t.oo(["instance", "ls"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: "Error: no user selected. maybe try logging in first? (oo login <slug>)\n" });
  });
});

describe("listings", () => {
  test("instance ls prints the aligned table with ages, --json the raw list; rm removes", async () => {
    await using t = await setup();
    await t.login();
    const before = Date.now();
    const heartbeat = before - 10_500;
    t.server.instances.set("inst-1", { id: "inst-1", url: "http://127.0.0.1:9311", slug: "skeleton-svc", status: "Healthy", lastHeartbeat: new Date(heartbeat).toISOString(), scheme: "http", host: "127.0.0.1", port: 9311 });
    const ls = await t.oo(["instance", "ls"]);
    // oo reads the clock when it prints, so on a loaded machine "10s ago" may have become "11s ago".
    const secondsAgo = (at: number) => Math.trunc((at - heartbeat) / 1000);
    const ages = range(secondsAgo(before), secondsAgo(Date.now())).map((s) => `${s}s ago`);
    const tables = ages.map((age) =>
      "ID       URL                     STATUS    OWNER SLUG     LAST HEARTBEAT\n" +
      `inst-1   http://127.0.0.1:9311   Healthy   skeleton-svc   ${age}\n`,
    );
    expect(tables).toContain(ls.stdout);
    expect(JSON.parse((await t.oo(["i", "ls", "--json"])).stdout)).toEqual([t.server.instances.get("inst-1")]);
    expect((await t.oo(["instance", "rm", "inst-1"])).code).toBe(0);
    expect(t.server.instances.size).toBe(0);
    const gone = await t.oo(["instance", "rm", "inst-1"]);
    expect({ code: gone.code, stderr: gone.stderr }).toEqual({ code: 1, stderr: "Error: instance inst-1 not found (HTTP 404)\n" });
  });

  test("instance ls adds a REGION column when an instance has a region", async () => {
    await using t = await setup();
    await t.login();
    const at = new Date().toISOString();
    t.server.instances.set("inst-1", { id: "inst-1", url: "http://127.0.0.1:9311", slug: "skeleton-svc", status: "Healthy", lastHeartbeat: at, scheme: "http", host: "127.0.0.1", port: 9311, region: "eu-west-1" });
    t.server.instances.set("inst-2", { id: "inst-2", url: "http://127.0.0.1:9312", slug: "skeleton-svc", status: "Unknown", lastHeartbeat: at, scheme: "http", host: "127.0.0.1", port: 9312 });
    const [header, first, second] = (await t.oo(["instance", "ls"])).stdout.split("\n") as [string, string, string];
    expect(header.split(/\s{2,}/)).toEqual(["ID", "URL", "STATUS", "OWNER SLUG", "REGION", "LAST HEARTBEAT"]);
    const column = header.indexOf("REGION");
    expect(first.slice(column).split(/\s{2,}/)[0]).toBe("eu-west-1");
    expect(second.slice(column, column + "eu-west-1".length).trim()).toBe("");
  });

  test("node, permit, enroll and user listings print tables and JSON", async () => {
    await using t = await setup();
    await t.login();
    expect((await t.oo(["node", "ls"])).stdout).toMatch(/^ID       URL                      REGION   AZ   ALIVE   LAST HEARTBEAT\nnode-1   http:\/\/127\.0\.0\.1:11337                         \d+s ago\n$/);
    expect((await t.oo(["permit", "ls"])).stdout).toBe(
      "ID       PERMISSION                   SLUGS       ROLES\nperm-1   registry-svc:instance:view   proxy-svc   user-svc:user\n",
    );
    expect((await t.oo(["enroll", "ls"])).stdout).toBe("ID      ROLE             USER ID     CONTACT ID\nenr-1   user-svc:admin   usr-admin\n");
    const users = JSON.parse((await t.oo(["user", "ls", "--json"])).stdout);
    expect(users.map((u: { slug: string }) => u.slug)).toEqual(["1backend"]);
  });

  test("permit save sends the file's permits; enroll save builds the enroll from flags", async () => {
    await using t = await setup();
    await t.login();
    const file = join(t.home, "permits.yaml");
    writeFileSync(file, "- permission: my-svc:pet:view\n  roles: [user-svc:user]\n- permission: my-svc:pet:edit\n  slugs: [other-svc]\n");
    expect((await t.oo(["permit", "save", file])).code).toBe(0);
    expect((await t.oo(["put", "/user-svc/enrolls", "--enrolls-role=x"])).stdout).toBe(JSON.stringify({ enrolls: [], echo: { enrolls: { role: "x" } } }, null, 2) + "\n");
    expect((await t.oo(["enroll", "save", "my-svc:admin", "--user-id", "usr-7"])).code).toBe(0);
    expect(t.server.calls.filter((c) => c.startsWith("PUT /user-svc/"))).toEqual(["PUT /user-svc/permits", "PUT /user-svc/enrolls", "PUT /user-svc/enrolls"]);
  });
});

describe("raw calls", () => {
  test("get turns flags into query parameters; put/post build nested JSON bodies", async () => {
    await using t = await setup();
    await t.login();
    t.server.instances.set("inst-1", { id: "inst-1", url: "http://h:1", slug: "a-svc", status: "Healthy", lastHeartbeat: "", scheme: "http", host: "h", port: 1 });
    t.server.instances.set("inst-2", { id: "inst-2", url: "http://h:2", slug: "b-svc", status: "Healthy", lastHeartbeat: "", scheme: "http", host: "h", port: 2 });
    const get = await t.oo(["get", "/registry-svc/instances", "--slug=b-svc"]);
    expect(JSON.parse(get.stdout)).toEqual({ instances: [t.server.instances.get("inst-2")] });
    const put = await t.oo(["put", "/user-svc/permits", "--a-b=1", "--flag=true", "--name=x"]);
    expect(JSON.parse(put.stdout)).toEqual({ echo: { a: { b: 1 }, flag: true, name: "x" } });
    expect(JSON.parse((await t.oo(["raw", "post", "user-svc/self"])).stdout).user.slug).toBe("1backend");
  });

  test("server errors exit 1 with the message; bad flags exit 2", async () => {
    await using t = await setup();
    await t.login();
    const missing = await t.oo(["delete", "/registry-svc/instance/nope"]);
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 1, stderr: "Error: instance nope not found (HTTP 404)\n" });
    const bad = await t.oo(["post", "/x", "--novalue"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid flag format: --novalue");
  });
});

describe("usage", () => {
  test("every command and subcommand answers --help with exit 0", async () => {
    await using home = tempDir();
    const paths = [[], ["env"], ["env", "add"], ["env", "ls"], ["env", "select"], ["env", "rm"], ["register"], ["login"], ["whoami"], ["token"],
      ["instance"], ["instance", "ls"], ["instance", "rm"], ["node"], ["node", "ls"], ["node", "rm"], ["permit"], ["permit", "ls"], ["permit", "save"],
      ["enroll"], ["enroll", "ls"], ["enroll", "save"], ["user"], ["user", "ls"], ["get"], ["post"], ["put"], ["delete"], ["raw"], ["raw", "get"],
      ["passwd"], ["permit", "rm"], ["enroll", "rm"], ["user", "create"], ["user", "rm"], ["api-key"], ["api-key", "create"], ["api-key", "ls"], ["api-key", "revoke"], ["completion"]];
    const results: Awaited<ReturnType<typeof runOo>>[] = [];
    for (const p of paths) results.push(await runOo([...p, "--help"], { home: home.path })); // one at a time: 2 shared cores
    results.forEach((r, i) => {
      expect({ path: paths[i], code: r.code }).toEqual({ path: paths[i]!, code: 0 });
      expect(r.stdout).toContain(`Usage: oo${paths[i]!.length ? " " + paths[i]!.join(" ") : ""}`);
    });
  });

  test("unknown commands, unknown flags and missing arguments exit 2", async () => {
    await using home = tempDir();
    const cases = [["nope"], ["env", "nope"], ["instance", "ls", "--bogus"], ["env", "add", "only-name"], ["env", "add", "x", "not-a-url"], ["instance"]];
    for (const args of cases) {
      const r = await runOo(args, { home: home.path });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toStartWith("Error: ");
    }
  });
});
