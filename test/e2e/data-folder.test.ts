/**
 * A data folder the server cannot write to (in a container: a bind mount owned by the host's user)
 * stops the start with a message naming the folder, its owner, our uid and the fixes, instead of
 * SQLite's "unable to open database file" (src/lib/data-folder.ts). The compiled binary is run as
 * another user than the folder's owner: as root, through setpriv as uid 65534; otherwise the folder is
 * made read-only for us.
 */
import { expect, test } from "bun:test";
import { chmodSync, existsSync } from "node:fs";
import { join } from "node:path";
import { SERVER_BINARY, requireBinary } from "../helpers/binary";
import { onPostgres } from "../helpers/dialect";
import { tempDir } from "../helpers/temp-dir";

const NOBODY = 65534;

// SQLite only: the data folder is where the database file lives (on PostgreSQL the state is not in it).
test.skipIf(onPostgres)("dist/1backend on a data folder it cannot write exits non-zero, naming the folder, its owner and the fixes", async () => {
  await using dir = tempDir();
  const asRoot = process.getuid?.() === 0;
  const owner = process.getuid?.() ?? 0;
  chmodSync(dir.path, asRoot ? 0o700 : 0o500);
  const command = asRoot ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", requireBinary(SERVER_BINARY)] : [requireBinary(SERVER_BINARY)];
  const proc = Bun.spawn(command, {
    env: { PATH: "/usr/bin:/bin", HOME: "/tmp", OB_FOLDER: dir.path, OB_SELF_URL: "http://127.0.0.1:0" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  chmodSync(dir.path, 0o700);
  const uid = asRoot ? NOBODY : owner;
  expect({ killed: proc.signalCode === "SIGKILL", failed: code !== 0 }).toEqual({ killed: false, failed: true });
  expect(stderr).toContain(`cannot write to the data folder ${dir.path} (owned by uid ${owner}, this process runs as uid ${uid})`);
  expect(stderr).toContain("OB_FOLDER");
  if (asRoot) expect(stderr).toContain(`docker run --user ${owner}`);
  expect(existsSync(join(dir.path, "1backend.db"))).toBe(false);
});
