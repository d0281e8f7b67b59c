/**
 * A used address is refused at start; several servers share one only with OB_REUSE_PORT=true
 * (contract §2 "listening"). Bun 1.4.5 sets SO_REUSEPORT by itself unless told not to, which let a
 * second server bind the first one's port and take half its connections (src/http/listen.ts).
 */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ListenError } from "../../src/http/listen";
import { startServer } from "../../src/serve";
import { SERVER_BINARY, requireBinary, startBinary } from "../helpers/binary";
import { testConfig } from "../helpers/config";
import { tempDir } from "../helpers/temp-dir";
import { testServer } from "../helpers/server";

/** Runs the binary until it exits by itself; a binary still running after `timeoutMs` fails the test. */
async function runToExit(env: Record<string, string>, timeoutMs = 20_000) {
  const proc = Bun.spawn([requireBinary(SERVER_BINARY)], { env: { PATH: "/usr/bin:/bin", ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { stdout, stderr, code, killed: proc.signalCode === "SIGKILL" };
}

const portOf = (url: string) => Number(new URL(url).port);

describe("one server per address", () => {
  test("in process: a second server on a used port throws ListenError naming the address", async () => {
    await using first = await testServer();
    await using dir = tempDir();
    const second = startServer(testConfig(dir.path, { OB_SELF_URL: `http://127.0.0.1:${first.port}` }), { fastCrypto: true });
    const error = await second.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ListenError);
    expect((error as ListenError).message).toBe(`cannot listen on 127.0.0.1:${first.port}: address in use`);
    expect(existsSync(join(dir.path, "1backend.db"))).toBe(false);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
  });

  test("dist/1backend: a second binary on the first's port exits non-zero naming the address; the first still serves", async () => {
    await using firstDir = tempDir();
    await using secondDir = tempDir();
    await using first = await startBinary({ folder: firstDir.path });
    const port = portOf(first.url);
    const second = await runToExit({ OB_SELF_URL: `http://127.0.0.1:${port}`, OB_FOLDER: secondDir.path, HOME: secondDir.path });
    expect(second.killed).toBe(false);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`1backend: cannot listen on 127.0.0.1:${port}: address in use`);
    expect(existsSync(join(secondDir.path, "1backend.db"))).toBe(false);
    // Fresh connections (no keep-alive reuse) all reach the first server.
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${first.url}/health`, { headers: { connection: "close" } });
      expect(r.status).toBe(200);
    }
    expect(first.process.exitCode).toBeNull();
  });

  test("dist/1backend: with OB_REUSE_PORT=true on both, both start on one port", async () => {
    await using firstDir = tempDir();
    await using secondDir = tempDir();
    await using first = await startBinary({ folder: firstDir.path, env: { OB_REUSE_PORT: "true" } });
    const port = portOf(first.url);
    await using second = await startBinary({ folder: secondDir.path, env: { OB_REUSE_PORT: "true", OB_SELF_URL: `http://127.0.0.1:${port}` } });
    expect(portOf(second.url)).toBe(port);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
  });
});
