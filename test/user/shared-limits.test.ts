/**
 * The login and registration limits on the database's counters (store/attempt-counters.ts,
 * shared-limits.ts), on the run's dialect (TEST_DB): the counter store's windows, take-backs and trim;
 * the login policy giving exactly the answers of the in-memory LoginLimits, scenario by scenario;
 * the password-change limit alike on both, through two nodes' counters at once;
 * parallel attempts admitted no more often than the limit; a database error failing closed with 503;
 * and the choice of counters by dialect (one SQLite node keeps counting in memory).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { AppError } from "../../src/http/errors";
import { openConfiguredDatabase } from "../../src/db/open";
import type { OpenedDatabase } from "../../src/db/client";
import type { Database } from "../../src/db/database";
import { silentLogger } from "../../src/lib/log";
import { RateLimiter } from "../../src/lib/rate-limit";
import { LoginLimits, type LoginLimiter, type LoginLimitSettings } from "../../src/modules/user/identity/login-limits";
import { createAttemptLimits, MemoryFailureLimit, SharedEventLimit, SharedFailureLimit, SharedLoginLimits, TrimSchedule, type FailureLimit } from "../../src/modules/user/identity/shared-limits";
import { AttemptCounterStore } from "../../src/modules/user/identity/store/attempt-counters";
import { testConfig } from "../helpers/config";
import { onPostgres } from "../helpers/dialect";
import { FakeClock } from "../helpers/fake-clock";
import { tempDir, type TempDir } from "../helpers/temp-dir";

let dir: TempDir;
let opened: OpenedDatabase;
let database: Database;

beforeAll(async () => {
  dir = tempDir();
  opened = await openConfiguredDatabase(testConfig(dir.path), silentLogger);
  await opened.migrate();
  database = opened.database;
}, 30_000);

afterAll(async () => {
  await opened?.close();
  await dir?.[Symbol.asyncDispose]();
});

beforeEach(async () => {
  await database.db.delete(database.tables.userAttemptCounters);
});

const counterStore = (clock: FakeClock, windowMs = 60_000) => new AttemptCounterStore({ database, clock, windowMs });

describe("AttemptCounterStore", () => {
  test("counts at several keys in one call; a key's window starts at its first event and a new one after it ends", async () => {
    const clock = new FakeClock(1_000_000);
    const store = counterStore(clock);
    expect(await store.add(["b", "a"], clock.now())).toEqual(new Map([["a", { count: 1, start: 1_000_000 }], ["b", { count: 1, start: 1_000_000 }]]));
    clock.advance(59_999);
    expect(await store.add(["a", "c"], clock.now())).toEqual(new Map([["a", { count: 2, start: 1_000_000 }], ["c", { count: 1, start: 1_059_999 }]]));
    clock.advance(1);
    expect((await store.add(["a"], clock.now())).get("a")).toEqual({ count: 1, start: 1_060_000 });
  });

  test("a take-back removes one event counted in the live window, not one from a window that ended or restarted; forget empties a key", async () => {
    const clock = new FakeClock(0);
    const store = counterStore(clock);
    const at = clock.now();
    await store.add(["a", "b", "p"], at);
    await store.add(["a", "b", "p"], at);
    await store.takeBack(["a"], at, clock.now(), ["p"]);
    clock.advance(1_000);
    expect(await store.add(["a", "b", "p"], clock.now())).toEqual(
      new Map([["a", { count: 2, start: 0 }], ["b", { count: 3, start: 0 }], ["p", { count: 1, start: 1_000 }]]),
    );
    clock.advance(60_000);
    await store.add(["a"], clock.now()); // a new window for "a"
    await store.takeBack(["a", "b", "gone"], at, clock.now()); // counted in the old windows: nothing to take
    expect((await store.add(["a", "b"], clock.now())).get("a")).toEqual({ count: 2, start: 61_000 });
  });

  test("parallel events at one key each see a different count: none is lost or counted twice", async () => {
    const clock = new FakeClock(0);
    const store = counterStore(clock);
    const counts = await Promise.all(Array.from({ length: 20 }, () => store.add(["login-pair:x", "login-client:y", "login-account:z"], clock.now())));
    for (const key of ["login-pair:x", "login-client:y", "login-account:z"]) {
      expect(counts.map((c) => c.get(key)!.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
  });

  test("trim deletes the windows that ended and keeps the live ones", async () => {
    const clock = new FakeClock(0);
    const store = counterStore(clock);
    for (let i = 0; i < 50; i++) await store.add([`old-${i}`], clock.now());
    clock.advance(30_000);
    await store.add(["live"], clock.now());
    clock.advance(30_000);
    expect(await store.trim(clock.now())).toBe(50);
    expect(await store.size()).toBe(1);
  });
});

type Outcome = number | string;

/** A limiter of either kind with the login tests' limits, and `attempt`: the status a login would answer before its password check. */
function loginLimits(kind: "memory" | "database", settings: Partial<LoginLimitSettings> = {}) {
  const clock = new FakeClock(0);
  const all: LoginLimitSettings = { perClient: 100, perAccountAndClient: 3, perAccount: 100, ...settings };
  const limits: LoginLimiter =
    kind === "memory" ? new LoginLimits({ clock, ...all, windowMs: 60_000 }) : new SharedLoginLimits({ counters: counterStore(clock), clock, log: silentLogger, ...all });
  const attempt = async (account: string, client: string, ok = false): Promise<Outcome> => {
    try {
      const a = await limits.admit(account, client);
      if (ok) await limits.succeeded(a);
      return ok ? 200 : 401;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return `${err.status} ${err.code} retry-after ${err.headers["retry-after"]}`;
    }
  };
  const series = async (...calls: [string, string, boolean?][]) => {
    const out: Outcome[] = [];
    for (const c of calls) out.push(await attempt(...c));
    return out;
  };
  return { clock, limits, attempt, series };
}

const limited = (seconds: number) => `429 user.too_many_logins retry-after ${seconds}`;

describe.each(["memory", "database"] as const)("login limits on %s counters: the same answers", (kind) => {
  test("a client's failures refuse only that client at that account; the owner's client with the right password is admitted", async () => {
    const { clock, attempt, series } = loginLimits(kind);
    const stranger = await series(["admin", "203.0.113.9"], ["admin", "203.0.113.9"], ["admin", "203.0.113.9"]);
    clock.advance(20_000);
    stranger.push(await attempt("admin", "203.0.113.9", true));
    expect(stranger).toEqual([401, 401, 401, limited(40)]);
    expect(await attempt("admin", "198.51.100.4", true)).toBe(200);
    expect(await attempt("other-svc", "203.0.113.9")).toBe(401);
    clock.advance(40_000);
    expect(await attempt("admin", "203.0.113.9", true)).toBe(200);
  });

  test("a success forgives the client's failures at that account; successes and refusals never count", async () => {
    const { series } = loginLimits(kind, { perClient: 6 });
    expect(await series(["a", "203.0.113.9"], ["a", "203.0.113.9"], ["a", "203.0.113.9", true])).toEqual([401, 401, 200]);
    expect(await series(["b", "203.0.113.9", true], ["b", "203.0.113.9", true], ["b", "203.0.113.9", true])).toEqual([200, 200, 200]);
    expect(await series(["a", "203.0.113.9"], ["a", "203.0.113.9"], ["a", "203.0.113.9"], ["a", "203.0.113.9"])).toEqual([401, 401, 401, limited(60)]);
    // The refusal at "a" did not count at the client: one more failure fits under its 6.
    expect(await series(["c", "203.0.113.9"], ["d", "203.0.113.9", true])).toEqual([401, limited(60)]);
  });

  test("past the per-account bound each client network gets one guess per window, and a fresh client still gets in", async () => {
    const { clock, attempt, series } = loginLimits(kind, { perAccount: 4 });
    const tries = (client: string) => series(["svc", client], ["svc", client], ["svc", client]);
    expect(await tries("203.0.113.1")).toEqual([401, 401, 401]);
    clock.advance(10_000);
    expect(await tries("203.0.113.2")).toEqual([401, limited(50), limited(50)]);
    expect(await tries("203.0.113.3")).toEqual([401, limited(50), limited(50)]);
    expect(await attempt("svc", "198.51.100.7", true)).toBe(200);
    expect(await attempt("svc", "198.51.100.8")).toBe(401);
    expect(await attempt("svc", "198.51.100.8", true)).toBe(limited(50));
  });

  test("one network's failures over all accounts are bounded (spraying), IPv6 by its /64", async () => {
    const { attempt, series } = loginLimits(kind, { perClient: 3 });
    expect(await series(["a", "2001:db8:1:2::1"], ["b", "2001:db8:1:2::2"], ["c", "2001:db8:1:2::3"], ["d", "2001:db8:1:2::4"])).toEqual([401, 401, 401, limited(60)]);
    expect(await attempt("d", "2001:db8:1:3::1")).toBe(401);
  });

  test("a limit of 0 turns that key's rule off", async () => {
    const { series } = loginLimits(kind, { perClient: 0, perAccountAndClient: 0, perAccount: 0 });
    expect(await series(...Array.from({ length: 20 }, () => ["svc", "203.0.113.9"] as [string, string]))).toEqual(Array(20).fill(401));
  });

  test("parallel attempts past the limit are refused before their hash: exactly the limit is admitted", async () => {
    const { limits, attempt } = loginLimits(kind);
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, async () => limits.admit("svc", "203.0.113.9")));
    const admitted = outcomes.filter((o) => o.status === "fulfilled");
    expect(admitted.length).toBe(3);
    expect(outcomes.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason.code)).toEqual(Array(9).fill("user.too_many_logins"));
    expect(await attempt("svc", "203.0.113.9", true)).toBe(limited(60));
    await limits.succeeded((admitted[0] as PromiseFulfilledResult<Awaited<ReturnType<LoginLimiter["admit"]>>>).value);
    expect(await attempt("svc", "203.0.113.9", true)).toBe(200);
  });
});

describe("the registration limit on the database's counters", () => {
  test("counts every event like RateLimiter.hit: `limit` per window, then the seconds left; a new window starts afresh", async () => {
    const clock = new FakeClock(1_000_000);
    const limit = new SharedEventLimit({ counters: counterStore(clock), clock, log: silentLogger, name: "register-client", limit: 2 });
    const memory = new RateLimiter({ clock, limit: 2 });
    const both = async (key: string) => [await limit.hit(key), memory.hit(key)];
    expect([await both("a"), await both("a"), await both("a")]).toEqual([[0, 0], [0, 0], [60, 60]]);
    clock.advance(45_500);
    expect([await both("a"), await both("b")]).toEqual([[15, 15], [0, 0]]);
    clock.advance(15_000);
    expect(await both("a")).toEqual([0, 0]);
  });
});

describe.each(["memory", "database"] as const)("the password-change limit on %s counters", (kind) => {
  /** Two nodes' limits: on the database both count in one table, in memory each its own (one node is all there is). */
  const limits = (clock: FakeClock, limit = 3): [FailureLimit, FailureLimit] => {
    if (kind === "memory") {
      const one = new MemoryFailureLimit(new RateLimiter({ clock, limit }));
      return [one, one];
    }
    const node = () => new SharedFailureLimit({ counters: counterStore(clock), clock, log: silentLogger, name: "password-change", limit });
    return [node(), node()];
  };
  /** A change with a wrong (or, `ok`, the right) current password: what it answers before the hash, then the outcome reported. */
  const change = async (limit: FailureLimit, account: string, ok = false): Promise<Outcome> => {
    const retry = await limit.admit(account);
    if (retry > 0) return `429 retry-after ${retry}`;
    if (ok) await limit.succeeded(account);
    return ok ? 200 : 400;
  };

  test("wrong current passwords through any node are bounded together; refusals do not count; a success forgives; a window later it starts afresh", async () => {
    const clock = new FakeClock(0);
    const [a, b] = limits(clock);
    expect([await change(a, "usr_1"), await change(b, "usr_1"), await change(a, "usr_1")]).toEqual([400, 400, 400]);
    clock.advance(20_000);
    expect([await change(b, "usr_1"), await change(a, "usr_1", true), await change(b, "usr_2")]).toEqual(["429 retry-after 40", "429 retry-after 40", 400]);
    clock.advance(40_000);
    expect([await change(b, "usr_1"), await change(a, "usr_1", true)]).toEqual([400, 200]);
    expect([await change(b, "usr_1"), await change(a, "usr_1"), await change(b, "usr_1"), await change(a, "usr_1")]).toEqual([400, 400, 400, "429 retry-after 60"]);
  });

  test("parallel changes through two nodes: exactly the limit is admitted before their hash", async () => {
    const clock = new FakeClock(0);
    const [a, b] = limits(clock);
    const retries = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).admit("usr_1")));
    expect(retries.filter((r) => r === 0).length).toBe(3);
    expect(retries.filter((r) => r === 60).length).toBe(9);
  });
});

describe("database errors and growth", () => {
  /** Counters whose every query fails as a broken statement would (no AppError). */
  const broken = (clock: FakeClock) => {
    const counters = counterStore(clock);
    const fail = async () => {
      throw new Error("relation does not exist");
    };
    return Object.assign(counters, { add: fail, takeBack: fail, trim: fail });
  };

  test("an attempt that cannot be counted fails closed: 503 db.unavailable for logins, registrations and password changes", async () => {
    const clock = new FakeClock(0);
    const o = { counters: broken(clock), clock, log: silentLogger };
    const login = new SharedLoginLimits({ ...o, perClient: 30, perAccountAndClient: 5, perAccount: 100 });
    const register = new SharedEventLimit({ ...o, name: "register-client", limit: 20 });
    const password = new SharedFailureLimit({ ...o, name: "password-change", limit: 5 });
    for (const attempt of [login.admit("svc", "203.0.113.9"), register.hit("203.0.113.9"), password.admit("usr_1")]) {
      const err = await attempt.then(() => undefined, (e: unknown) => e);
      expect(err instanceof AppError && [err.status, err.code]).toEqual([503, "db.unavailable"]);
    }
  });

  test("a failed take-back after a success leaves the answer standing", async () => {
    const clock = new FakeClock(0);
    const counters = counterStore(clock);
    const login = new SharedLoginLimits({ counters, clock, log: silentLogger, perClient: 30, perAccountAndClient: 5, perAccount: 100 });
    const attempt = await login.admit("svc", "203.0.113.9");
    Object.assign(counters, { takeBack: async () => Promise.reject(new Error("connection lost")) });
    expect(await login.succeeded(attempt)).toBeUndefined();
  });

  test("ended windows are trimmed by the counting itself, at most once a window per node: the table stays bounded", async () => {
    const clock = new FakeClock(0);
    const counters = counterStore(clock);
    const o = { counters, clock, log: silentLogger };
    const trim = new TrimSchedule(o);
    const login = new SharedLoginLimits({ ...o, perClient: 30, perAccountAndClient: 5, perAccount: 100 }, trim);
    const register = new SharedEventLimit({ ...o, name: "register-client", limit: 20 }, trim);
    for (let minute = 0; minute < 4; minute++) {
      for (let i = 0; i < 20; i++) {
        await login.admit(`name:${minute}-${i}`, `203.0.113.${i}`).catch(() => undefined);
        await register.hit(`198.51.100.${i}`);
      }
      clock.advance(60_000);
    }
    // Each minute counts 20 networks, 20 pairs, 20 accounts and 20 registrants: at most two minutes' rows are kept.
    expect(await counters.size()).toBeLessThanOrEqual(2 * 80);
  });
});

test("one SQLite node keeps counting in memory (no query on a login); PostgreSQL counts in the database", () => {
  const clock = new FakeClock(0);
  const limits = createAttemptLimits({ database, clock, log: silentLogger, config: testConfig(dir.path) });
  expect(limits.loginLimits instanceof (onPostgres ? SharedLoginLimits : LoginLimits)).toBe(true);
  expect(limits.registerPerIp instanceof (onPostgres ? SharedEventLimit : RateLimiter)).toBe(true);
  expect(limits.passwordAttempts instanceof (onPostgres ? SharedFailureLimit : MemoryFailureLimit)).toBe(true);
});
