/**
 * ACME end to end (issue 13) against a private pebble on loopback (acme-pebble.ts): HTTP-01 really
 * validated by pebble against the edge's HTTP listener (startEdgeListeners, answering from the
 * manager under test's challenges; a failure is a host the mock DNS points elsewhere), certificates
 * stored through the real EdgeStore (sealed, on this run's dialect), passes driven by hand with a
 * fake clock: issuance for new hosts (route and redirect-only), renewal at a third of the lifetime
 * left, the certificate and the account surviving a restart, backoff after failures without touching
 * served certificates, and on PostgreSQL one node ordering while the other answers challenges.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import type { Config } from "../../src/config";
import type { OpenedDatabase } from "../../src/db/client";
import { openConfiguredDatabase } from "../../src/db/open";
import { createLogger, type Logger } from "../../src/lib/log";
import { SecretBox } from "../../src/lib/secret-box";
import { AcmeManager, type AcmeManagerOptions } from "../../src/modules/edge/acme";
import type { ChallengeAnswers } from "../../src/modules/edge/challenges";
import { startEdgeListeners, type EdgeListeners } from "../../src/modules/edge/listeners";
import { EdgeTable, type EdgeRedirect, type EdgeRoute } from "../../src/modules/edge/model";
import { EdgeStore } from "../../src/modules/edge/store";
import { testConfig } from "../helpers/config";
import { onPostgres } from "../helpers/dialect";
import { FakeClock } from "../helpers/fake-clock";
import { tempDir, type TempDir } from "../helpers/temp-dir";
import { freePorts, startPebble, type Pebble } from "./acme-pebble";

const KEY = "11".repeat(32);
const route = (host: string): EdgeRoute => ({ id: host, host, path: "", target: "http://127.0.0.1:9" });
const redirect = (host: string): EdgeRedirect => ({ id: host, host, path: "", target: "https://elsewhere.example.test/", statusCode: 308 });

/** What the one edge listener of the file answers challenges from: the manager under test's, counting the CA's fetches. */
class Answers implements ChallengeAnswers {
  current: ChallengeAnswers | undefined;
  asked = 0;
  answer(token: string): string | undefined {
    this.asked++;
    return this.current?.answer(token);
  }
}

/** One node's ACME side: database, store, table and manager on `dir`'s state. */
interface Node {
  table: EdgeTable;
  store: EdgeStore;
  manager: AcmeManager;
  config: Config;
  close(): Promise<void>;
}

let pebble: Pebble;
let edge: EdgeListeners;
const answers = new Answers();
const warnings: string[] = [];
const log: Logger = createLogger("warn", (line) => warnings.push(line));

beforeAll(async () => {
  // The edge HTTP listener in test mode (plain HTTP; challenges are answered before any routing) on a
  // port chosen first, since pebble's validator is told it at start.
  const [httpPort] = await freePorts(1);
  await using folder = tempDir();
  const config = testConfig(folder.path, { OB_EDGE_PROXY: "true", OB_EDGE_PROXY_TEST_MODE: "true", OB_ENCRYPTION_KEY: KEY, OB_EDGE_PROXY_HTTP_PORT: `127.0.0.1:${httpPort}` });
  const forward = { forward: async () => new Response("no upstream in this test", { status: 502 }), websocket: { message() {} } };
  edge = await startEdgeListeners({ config, log, table: new EdgeTable(), forward, challenges: answers });
  // 90 days, as Let's Encrypt's; renewal is driven by the fake clock.
  pebble = await startPebble({ httpPort: edge.httpPort, validitySeconds: 90 * 86_400 });
});
afterAll(async () => {
  await pebble?.[Symbol.asyncDispose]();
  await edge?.stop();
});

async function node(dir: TempDir, clock: FakeClock, extra: Partial<AcmeManagerOptions> = {}, env: Record<string, string> = {}): Promise<Node> {
  const config = testConfig(dir.path, { OB_ACME_DIRECTORY: pebble.directory, OB_ACME_CA_FILE: pebble.caFile, OB_CONTACT_EMAIL: "ops@example.test", ...env });
  const opened: OpenedDatabase = await openConfiguredDatabase(config, log);
  await opened.migrate();
  const table = new EdgeTable();
  const store = new EdgeStore({ database: opened.database, clock, log, table, box: SecretBox.fromKey(KEY) });
  await store.load();
  // No hold after a new account unless a test has a second node (the cluster test sets it).
  const manager = new AcmeManager({ config, log, clock, table, store, pollMs: 50, requestRetries: 0, newAccountHoldMs: 0, ...extra });
  return {
    table,
    store,
    manager,
    config,
    close: async () => {
      await manager.stop();
      await store.stop();
      await opened.close();
    },
  };
}

function leaf(pem: string): X509Certificate {
  return new X509Certificate(pem);
}

describe("ACME against pebble", () => {
  test("a new route and a redirect-only host each get a certificate, validated over HTTP-01 by the CA", async () => {
    await using dir = tempDir();
    const clock = new FakeClock(Date.now());
    const n = await node(dir, clock);
    try {
      answers.current = n.manager.challenges;
      expect(await n.manager.runOnce()).toEqual({ leading: true, issued: [], failed: [], waiting: [] });
      n.table.setRoutes([route("shop.example.test"), { ...route("shop.example.test"), id: "shop.example.test/app", path: "/app" }]);
      n.table.setRedirects([redirect("old-shop.example.test")]);
      const asked = answers.asked;
      expect(await n.manager.runOnce()).toEqual({ leading: true, issued: ["old-shop.example.test", "shop.example.test"], failed: [], waiting: [] });
      // The CA fetched each host's challenge from the listener (pebble more than once per challenge,
      // as Let's Encrypt's several vantage points do).
      expect(answers.asked - asked).toBeGreaterThanOrEqual(2);
      const root = new X509Certificate(await pebble.rootPem());
      for (const host of ["shop.example.test", "old-shop.example.test"]) {
        const cert = n.table.certs().get(host)!;
        expect(cert.names).toEqual([host]);
        const chain = cert.certPem.split(/(?<=-----END CERTIFICATE-----)\s*/).filter(Boolean).map(leaf);
        expect(chain[0]!.checkHost(host)).toBe(host);
        expect(chain[0]!.checkPrivateKey((await import("node:crypto")).createPrivateKey(cert.keyPem))).toBe(true);
        // Leaf → intermediate → pebble's root.
        expect(chain[0]!.verify(chain[1]!.publicKey)).toBe(true);
        expect(chain[1]!.verify(root.publicKey)).toBe(true);
      }
      // Nothing due any more: the next pass orders nothing.
      expect(await n.manager.runOnce()).toEqual({ leading: true, issued: [], failed: [], waiting: [] });
      const rows = await n.store.listCertificates();
      expect(rows.map((r) => [r.id, r.source]).sort()).toEqual([["old-shop.example.test", "acme"], ["shop.example.test", "acme"]]);
    } finally {
      await n.close();
    }
  });

  test("renews a certificate once a third of its lifetime is left, not before", async () => {
    await using dir = tempDir();
    const clock = new FakeClock(Date.now());
    const n = await node(dir, clock);
    try {
      answers.current = n.manager.challenges;
      n.table.setRoutes([route("renew.example.test")]);
      expect((await n.manager.runOnce()).issued).toEqual(["renew.example.test"]);
      const first = n.table.certs().get("renew.example.test")!;
      const renewAt = first.notAfter - (first.notAfter - first.notBefore) / 3;
      clock.set(renewAt - 60_000);
      expect((await n.manager.runOnce()).issued).toEqual([]);
      expect(n.table.certs().get("renew.example.test")!.certPem).toBe(first.certPem);
      clock.set(renewAt);
      expect((await n.manager.runOnce()).issued).toEqual(["renew.example.test"]);
      const second = n.table.certs().get("renew.example.test")!;
      expect(leaf(second.certPem).serialNumber).not.toBe(leaf(first.certPem).serialNumber);
      expect(second.keyPem).not.toBe(first.keyPem);
      expect(second.notAfter).toBeGreaterThanOrEqual(first.notAfter);
    } finally {
      await n.close();
    }
  });

  test("after a restart the stored certificate and account are used, nothing is ordered again", async () => {
    await using dir = tempDir();
    const clock = new FakeClock(Date.now());
    const first = await node(dir, clock);
    let issued: string;
    let account: { keyPem: string; url?: string } | undefined;
    try {
      answers.current = first.manager.challenges;
      first.table.setRoutes([route("restart.example.test")]);
      expect((await first.manager.runOnce()).issued).toEqual(["restart.example.test"]);
      issued = first.table.certs().get("restart.example.test")!.certPem;
      account = await first.store.loadAcmeAccount();
      expect(account?.url).toStartWith("https://127.0.0.1:");
      expect(account?.keyPem).toContain("PRIVATE KEY");
    } finally {
      await first.close();
    }
    const second = await node(dir, clock);
    try {
      answers.current = second.manager.challenges;
      // The table is what the store loaded: the certificate is served before any pass.
      expect(second.table.certs().get("restart.example.test")?.certPem).toBe(issued);
      second.table.setRoutes([route("restart.example.test")]);
      const asked = answers.asked;
      expect(await second.manager.runOnce()).toEqual({ leading: true, issued: [], failed: [], waiting: [] });
      expect(answers.asked).toBe(asked);
      // A new host orders with the stored account, which stays as it was.
      second.table.setRoutes([route("restart.example.test"), route("restart-2.example.test")]);
      expect((await second.manager.runOnce()).issued).toEqual(["restart-2.example.test"]);
      expect(await second.store.loadAcmeAccount()).toEqual(account);
    } finally {
      await second.close();
    }
  });

  test("a failed validation backs off (logged) and leaves the other hosts' certificates served", async () => {
    await using dir = tempDir();
    const clock = new FakeClock(Date.now());
    const n = await node(dir, clock);
    try {
      answers.current = n.manager.challenges;
      n.table.setRoutes([route("good.example.test")]);
      expect((await n.manager.runOnce()).issued).toEqual(["good.example.test"]);
      const good = n.table.certs().get("good.example.test")!;
      // Its DNS points elsewhere: the CA's validation finds nothing listening there.
      await pebble.pointHost("broken.example.test", "127.0.0.2");
      n.table.setRoutes([route("good.example.test"), route("broken.example.test")]);
      warnings.length = 0;
      expect(await n.manager.runOnce()).toEqual({ leading: true, issued: [], failed: ["broken.example.test"], waiting: [] });
      const line = JSON.parse(warnings.find((w) => w.includes("acme: order failed"))!);
      expect(line).toMatchObject({ level: "warn", host: "broken.example.test", retryInMs: 300_000 });
      expect(n.table.certs().get("good.example.test")).toEqual(good);
      // Within the backoff the host waits; after it, it is ordered again (and, fixed, issued).
      clock.advance(299_000);
      expect(await n.manager.runOnce()).toEqual({ leading: true, issued: [], failed: [], waiting: ["broken.example.test"] });
      await pebble.pointHost("broken.example.test");
      clock.advance(1_000);
      expect(await n.manager.runOnce()).toEqual({ leading: true, issued: ["broken.example.test"], failed: [], waiting: [] });
    } finally {
      await pebble.pointHost("broken.example.test");
      await n.close();
    }
  });

  test("an unreachable directory fails the pass, backs off doubling, and serves what is stored", async () => {
    await using dir = tempDir();
    const clock = new FakeClock(Date.now());
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = closed.port;
    closed.stop(true);
    const n = await node(dir, clock, {}, { OB_ACME_DIRECTORY: `https://127.0.0.1:${port}/dir` });
    try {
      n.table.setRoutes([route("down.example.test")]);
      warnings.length = 0;
      expect(await n.manager.runOnce()).toEqual({ leading: true, issued: [], failed: ["down.example.test"], waiting: [] });
      const line = JSON.parse(warnings.find((w) => w.includes("acme: account or directory failed"))!);
      expect(line).toMatchObject({ retryInMs: 300_000, directory: `https://127.0.0.1:${port}/dir` });
      expect(line.directoryCheck).toStartWith("the directory cannot be reached: ");
      expect(await n.manager.runOnce()).toEqual({ leading: true, issued: [], failed: [], waiting: ["down.example.test"] });
      clock.advance(300_000);
      warnings.length = 0;
      expect((await n.manager.runOnce()).failed).toEqual(["down.example.test"]);
      expect(JSON.parse(warnings.find((w) => w.includes("acme: account or directory failed"))!)).toMatchObject({ retryInMs: 600_000 });
      expect(await n.store.loadAcmeAccount()).toBeUndefined();
    } finally {
      await n.close();
    }
  });

  test("a CA that never answers does not hold up stop(); the pass's late end stores nothing", async () => {
    await using dir = tempDir();
    const clock = new FakeClock(Date.now());
    // Accepts connections and says nothing: the directory request hangs until its 30 s timeout.
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const n = await node(dir, clock, { stopWaitMs: 200 }, { OB_ACME_DIRECTORY: `https://127.0.0.1:${silent.port}/dir` });
    try {
      n.table.setRoutes([route("silent.example.test")]);
      const pass = n.manager.runOnce();
      const started = performance.now();
      await n.manager.stop();
      expect(performance.now() - started).toBeLessThan(2_000);
      silent.stop(true);
      // Cut off, the pass ends as a failure; nothing was stored.
      expect((await pass).failed).toEqual(["silent.example.test"]);
      expect(await n.store.loadAcmeAccount()).toBeUndefined();
    } finally {
      silent.stop(true);
      await n.close();
    }
  });

  test.skipIf(!onPostgres)("two nodes: one orders, the other answers the CA's challenge with the stored account", async () => {
    await using dir = tempDir();
    const clock = new FakeClock(Date.now());
    const a = await node(dir, clock, { newAccountHoldMs: 60_000 });
    const b = await node(dir, clock);
    try {
      for (const n of [a, b]) n.table.setRoutes([route("cluster.example.test")]);
      expect(await a.manager.runOnce()).toMatchObject({ leading: true, issued: [], waiting: ["cluster.example.test"] });
      expect(await b.manager.runOnce()).toEqual({ leading: false, issued: [], failed: [], waiting: [] });
      // Only B answers on the listener now: the CA's fetch reaches the node that did not order.
      answers.current = b.manager.challenges;
      clock.advance(60_000);
      expect((await a.manager.runOnce()).issued).toEqual(["cluster.example.test"]);
      await b.store.load();
      expect(b.table.certs().get("cluster.example.test")?.certPem).toBe(a.table.certs().get("cluster.example.test")!.certPem);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
