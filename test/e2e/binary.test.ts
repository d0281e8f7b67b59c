import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { SERVER_BINARY, requireBinary, startBinary } from "../helpers/binary";
import { onPostgres } from "../helpers/dialect";
import { tempDir } from "../helpers/temp-dir";

async function run(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([requireBinary(SERVER_BINARY), ...args], { env: { PATH: "/usr/bin:/bin", ...env }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

describe("the compiled binary", () => {
  test("--help lists every OB_* variable with its default", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    for (const name of ["OB_SELF_URL", "OB_LISTEN", "OB_FOLDER", "OB_TOKEN_EXPIRATION", "OB_TOKEN_AUTO_REFRESH_OFF", "OB_ADMIN_PASSWORD", "OB_LOG_LEVEL"]) {
      expect(r.stdout).toContain(name);
    }
  });

  test("a bad configuration value stops the start with a message naming the variable", async () => {
    await using dir = tempDir();
    const r = await run([], { OB_FOLDER: dir.path, OB_TOKEN_EXPIRATION: "five minutes" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("OB_TOKEN_EXPIRATION");
    expect(existsSync(join(dir.path, "1backend.db"))).toBe(false);
  });

  test("an unknown argument is a usage error", async () => {
    const r = await run(["--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--bogus");
  });

  // SQLite only: the state next to the binary is the 1backend.db file.
  test.skipIf(onPostgres)("runs without Bun installed and keeps its state next to itself when OB_FOLDER is unset", async () => {
    await using dir = tempDir();
    const copy = join(dir.path, "1backend");
    copyFileSync(SERVER_BINARY, copy);
    const proc = Bun.spawn([copy], { cwd: "/", env: { PATH: "/nonexistent", OB_SELF_URL: "http://127.0.0.1:0", OB_LOG_LEVEL: "info" }, stdout: "pipe", stderr: "pipe" });
    try {
      const reader = proc.stdout.getReader();
      let out = "";
      while (!out.includes('"msg":"listening"')) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`exited early: ${out}${await new Response(proc.stderr).text()}`);
        out += new TextDecoder().decode(value);
      }
      const url = JSON.parse(out.split("\n").find((l) => l.includes('"msg":"listening"'))!).url;
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect(existsSync(join(dir.path, "1backend.db"))).toBe(true);
    } finally {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  });

  // SQLite only: a closed database is told by its WAL file being checkpointed away.
  test.skipIf(onPostgres)("SIGTERM stops it gracefully: exit 0 and the database closed (WAL checkpointed away)", async () => {
    await using dir = tempDir();
    await using server = await startBinary({ folder: dir.path, env: { OB_LOG_LEVEL: "info" } });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(existsSync(join(dir.path, "1backend.db-wal"))).toBe(true);
    expect(await server.stop()).toBe(0);
    expect(server.lines.some((l) => l.includes('"msg":"shutting down"'))).toBe(true);
    expect(existsSync(join(dir.path, "1backend.db-wal"))).toBe(false);
  });

  test("--health-check exits 0 while the server answers and 1 when it is down", async () => {
    await using dir = tempDir();
    await using server = await startBinary({ folder: dir.path });
    const env = { OB_SELF_URL: server.url, OB_FOLDER: dir.path };
    expect((await run(["--health-check"], env)).code).toBe(0);
    await server.stop();
    expect((await run(["--health-check"], env)).code).toBe(1);
  });

  // SQLite only: reads the migrations table from the file (test/cluster covers PostgreSQL's migrations).
  test.skipIf(onPostgres)("a second start on the same folder applies no migration twice and serves again", async () => {
    await using dir = tempDir();
    for (let i = 0; i < 2; i++) {
      await using server = await startBinary({ folder: dir.path });
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    }
    const { Database } = await import("bun:sqlite");
    const db = new Database(join(dir.path, "1backend.db"), { readonly: true });
    const applied = db.query("select count(*) as n from __drizzle_migrations").get() as { n: number };
    db.close();
    const journal = await Bun.file(join(import.meta.dir, "../../src/db/migrations/sqlite/meta/_journal.json")).json();
    expect(applied.n).toBe(journal.entries.length);
  });
});
