/**
 * Leader election (src/modules/cluster/leader.ts): one leader per role among nodes sharing a lock,
 * take-over after the holder's session dies, stepping down when its own session is lost, the jobs that
 * follow leadership, and the single node that always leads. Fake lock sessions on both dialects; the
 * real advisory lock on PostgreSQL.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Leader, postgresLockSession, type LockSession, type OpenLockSession } from "../../src/modules/cluster/leader";
import { Publisher } from "../../src/lib/events";
import { silentLogger } from "../../src/lib/log";
import { InstanceTable } from "../../src/modules/registry/instance-table";
import type { RegistryEvent } from "../../src/modules/registry/routing";
import { Sweeper } from "../../src/modules/registry/sweeper";
import { databaseEnv, onPostgres } from "../helpers/dialect";
import { FakeClock } from "../helpers/fake-clock";

/** One lock as a database server holds it: sessions that can die, as a killed node's do. */
class FakeLockServer {
  holder: FakeSession | undefined;
  session(): OpenLockSession {
    return async () => new FakeSession(this);
  }
}
class FakeSession implements LockSession {
  alive = true;
  constructor(private readonly server: FakeLockServer) {}
  async tryLock() {
    if (!this.alive) throw new Error("connection closed");
    this.server.holder ??= this;
    return this.server.holder === this;
  }
  async ping() {
    if (!this.alive) throw new Error("connection closed");
  }
  async close() {
    this.die();
  }
  /** The session ends (its node died, or the network cut it): the server frees the lock. */
  die() {
    this.alive = false;
    if (this.server.holder === this) this.server.holder = undefined;
  }
}

const leaderOn = (server: FakeLockServer, clock = new FakeClock()) => new Leader({ role: "sweeper", clock, log: silentLogger, openSession: server.session() });

function sweeperFor(clock: FakeClock) {
  return new Sweeper({ table: new InstanceTable(new Publisher<RegistryEvent>(silentLogger)), clock, log: silentLogger, intervalMs: 1000, unhealthyAfterMs: 15_000, instanceTtlMs: 600_000 });
}

describe("leader election (fake lock sessions)", () => {
  test("one of two nodes leads; when its session dies the other takes over on its next run", async () => {
    const server = new FakeLockServer();
    const a = leaderOn(server);
    const b = leaderOn(server);
    expect([await a.runOnce(), await b.runOnce()]).toEqual([true, false]);
    expect([await a.runOnce(), await b.runOnce()]).toEqual([true, false]);
    (server.holder as FakeSession).die();
    expect(await b.runOnce()).toBe(true);
    // The old holder notices on its next run (the ping fails) and does not get the lock back.
    expect(await a.runOnce()).toBe(false);
    expect(await a.runOnce()).toBe(false);
    expect([a.leading, b.leading]).toEqual([false, true]);
  });

  test("the sweeper runs only while its node leads: started on election, stopped on stepping down", async () => {
    const server = new FakeLockServer();
    const clock = new FakeClock();
    const a = leaderOn(server, clock);
    const b = leaderOn(server, clock);
    const [sweepA, sweepB] = [sweeperFor(clock), sweeperFor(clock)];
    a.runWhileLeading(sweepA);
    b.runWhileLeading(sweepB);
    await a.start();
    await b.start();
    try {
      expect([sweepA.job.started, sweepB.job.started]).toEqual([true, false]);
      expect(a.leadingSince).toBe(clock.now());
      clock.advance(5000);
      (server.holder as FakeSession).die();
      await a.runOnce();
      expect([a.leading, sweepA.job.started]).toEqual([false, false]);
      await b.runOnce();
      expect([b.leading, sweepB.job.started, b.leadingSince]).toEqual([true, true, clock.now()]);
      // A graceful stop steps down and releases the lock at once.
      await b.stop();
      expect([b.leading, sweepB.job.started, server.holder]).toEqual([false, false, undefined]);
      expect(await a.runOnce()).toBe(true);
      expect(sweepA.job.started).toBe(true);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test("a database that cannot be reached: no leadership, retried every run", async () => {
    let reachable = false;
    const server = new FakeLockServer();
    const open = server.session();
    const leader = new Leader({ role: "sweeper", clock: new FakeClock(), log: silentLogger, openSession: async () => (reachable ? open() : Promise.reject(new Error("ECONNREFUSED"))) });
    expect(await leader.runOnce()).toBe(false);
    reachable = true;
    expect(await leader.runOnce()).toBe(true);
  });

  test("a single node (no lock) always leads, with no election job for readiness to watch", async () => {
    const clock = new FakeClock();
    const leader = new Leader({ role: "sweeper", clock, log: silentLogger });
    const sweeper = sweeperFor(clock);
    leader.runWhileLeading(sweeper);
    await leader.start();
    expect([leader.leading, sweeper.job.started, leader.jobs()]).toEqual([true, true, []]);
    expect(await leader.runOnce()).toBe(true);
    await leader.stop();
    expect([leader.leading, sweeper.job.started]).toEqual([false, false]);
  });
});

describe.skipIf(!onPostgres)("leader election on PostgreSQL (session advisory lock)", () => {
  const url = onPostgres ? databaseEnv(`/tmp/leader-test-${process.pid}`).OB_DB_CONNECTION_STRING! : "";
  const key = (prefix: string) => `1backend:leader:${prefix}:sweeper`;
  const leaders: Leader[] = [];
  const leader = (prefix: string) => {
    const l = new Leader({ role: "sweeper", clock: new FakeClock(), log: silentLogger, openSession: postgresLockSession({ url, key: key(prefix) }) });
    leaders.push(l);
    return l;
  };
  afterAll(async () => {
    for (const l of leaders) await l.stop();
  });
  const admin = () => new Bun.SQL(url, { max: 1 });

  test("one leader per prefix; the holder's session killed by the server: the holder steps down, the other takes over", async () => {
    const prefix = `lt${crypto.randomUUID().slice(0, 8)}_`;
    const [a, b] = [leader(prefix), leader(prefix)];
    const other = leader(`${prefix}x_`);
    expect([await a.runOnce(), await b.runOnce(), await other.runOnce()]).toEqual([true, false, true]);
    const sql = admin();
    try {
      // The backend holding the 64-bit advisory key (classid: high 32 bits, objid: low 32 bits).
      const killed = await sql`SELECT pg_terminate_backend(pid) AS done FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 1
          AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(${key(prefix)}, 0)`;
      expect(killed).toEqual([{ done: true }]);
    } finally {
      await sql.close();
    }
    expect(await a.runOnce()).toBe(false);
    expect(await b.runOnce()).toBe(true);
    expect(await a.runOnce()).toBe(false);
    expect(await other.runOnce()).toBe(true);
  });

  test("a leader that stops releases the lock at once", async () => {
    const prefix = `lt${crypto.randomUUID().slice(0, 8)}_`;
    const [a, b] = [leader(prefix), leader(prefix)];
    expect([await a.runOnce(), await b.runOnce()]).toEqual([true, false]);
    await a.stop();
    expect(await b.runOnce()).toBe(true);
  });
});
