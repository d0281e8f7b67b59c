/** The login limits: fixed windows, bounded memory, IPv6 clients keyed by their /64, and the policy that keeps the owner in. */
import { describe, expect, test } from "bun:test";
import { AppError } from "../../src/http/errors";
import { LoginLimits, type LoginLimitSettings } from "../../src/modules/user/identity/login-limits";
import { clientNetwork, RateLimiter } from "../../src/lib/rate-limit";
import { FakeClock } from "../helpers/fake-clock";

test("allows `limit` attempts per window, then answers the seconds left; a new window starts afresh", () => {
  const clock = new FakeClock(1_000_000);
  const limiter = new RateLimiter({ clock, limit: 2, windowMs: 60_000 });
  expect([limiter.hit("a"), limiter.hit("a"), limiter.hit("a")]).toEqual([0, 0, 60]);
  clock.advance(45_500);
  expect(limiter.hit("a")).toBe(15);
  expect(limiter.hit("b")).toBe(0);
  clock.advance(15_000);
  expect(limiter.hit("a")).toBe(0);
});

test("expired windows are dropped as time passes and live keys never exceed maxKeys", () => {
  const clock = new FakeClock(0);
  const limiter = new RateLimiter({ clock, limit: 5, windowMs: 1_000, maxKeys: 100 });
  for (let i = 0; i < 250; i++) limiter.hit(`k${i}`);
  expect(limiter.size).toBe(100);
  expect(limiter.hit("k249")).toBe(0);
  clock.advance(1_000);
  limiter.hit("fresh");
  expect(limiter.size).toBe(1);
});

test("a limit of 0 disables the limiter and tracks nothing", () => {
  const limiter = new RateLimiter({ clock: new FakeClock(0), limit: 0 });
  for (let i = 0; i < 10; i++) expect(limiter.hit("a")).toBe(0);
  expect(limiter.size).toBe(0);
});

test("clientNetwork: IPv4 and mapped IPv4 as is, IPv6 by its /64", () => {
  expect(clientNetwork("203.0.113.7")).toBe("203.0.113.7");
  expect(clientNetwork("::ffff:203.0.113.7")).toBe("203.0.113.7");
  expect(clientNetwork("2001:db8:aa:1:dead:beef:0:1")).toBe("2001:db8:aa:1::/64");
  expect(clientNetwork("2001:db8:aa:1::2")).toBe("2001:db8:aa:1::/64");
  expect(clientNetwork("2001:DB8::1")).toBe("2001:db8:0:0::/64");
  expect(clientNetwork("::1")).toBe("0:0:0:0::/64");
  expect(clientNetwork("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  expect(clientNetwork("unknown")).toBe("unknown");
});

test("blocked() counts nothing; a reservation taken back in its window leaves no trace, one from an older window is not taken from the new", () => {
  const clock = new FakeClock(0);
  const limiter = new RateLimiter({ clock, limit: 2, windowMs: 60_000 });
  expect(limiter.blocked("a")).toBe(0);
  const first = limiter.reserve("a");
  limiter.reserve("a");
  expect([limiter.count("a"), limiter.blocked("a")]).toEqual([2, 60]);
  limiter.undo("a", first);
  expect([limiter.count("a"), limiter.blocked("a")]).toEqual([1, 0]);
  clock.advance(60_000);
  limiter.reserve("a");
  limiter.undo("a", first);
  expect(limiter.count("a")).toBe(1);
  limiter.reset("a");
  expect([limiter.count("a"), limiter.size]).toEqual([0, 0]);
});

/** Limits of the login tests: 3 failures per (account, client), 100 per client, 100 per account unless given. */
function loginLimits(settings: Partial<LoginLimitSettings> = {}, maxKeys?: number) {
  const clock = new FakeClock(0);
  const limits = new LoginLimits({ clock, perClient: 100, perAccountAndClient: 3, perAccount: 100, ...settings, windowMs: 60_000, maxKeys });
  /** Admits one attempt and lets it fail (or succeed); the status the login would answer, before its password check. */
  const attempt = (account: string, client: string, ok = false): number | string => {
    try {
      const a = limits.admit(account, client);
      if (ok) limits.succeeded(a);
      return ok ? 200 : 401;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return `${err.status} ${err.code} retry-after ${err.headers["retry-after"]}`;
    }
  };
  return { clock, limits, attempt };
}

const limited = (seconds: number) => `429 user.too_many_logins retry-after ${seconds}`;

describe("LoginLimits", () => {
  test("a client's failures refuse only that client at that account; the owner's client with the right password is admitted", () => {
    const { clock, attempt } = loginLimits();
    const stranger = [attempt("admin", "203.0.113.9"), attempt("admin", "203.0.113.9"), attempt("admin", "203.0.113.9")];
    clock.advance(20_000);
    stranger.push(attempt("admin", "203.0.113.9", true));
    expect(stranger).toEqual([401, 401, 401, limited(40)]);
    expect(attempt("admin", "198.51.100.4", true)).toBe(200);
    expect(attempt("other-svc", "203.0.113.9")).toBe(401);
    clock.advance(40_000);
    expect(attempt("admin", "203.0.113.9", true)).toBe(200);
  });

  test("a success forgives the client's failures at that account; successes never count", () => {
    const { attempt } = loginLimits({ perClient: 5 });
    expect([attempt("a", "203.0.113.9"), attempt("a", "203.0.113.9"), attempt("a", "203.0.113.9", true)]).toEqual([401, 401, 200]);
    expect([attempt("b", "203.0.113.9", true), attempt("b", "203.0.113.9", true), attempt("b", "203.0.113.9", true)]).toEqual([200, 200, 200]);
    // Three more at "a" (its count was forgiven), which bring the client to its 5 failures over all accounts.
    expect([attempt("a", "203.0.113.9"), attempt("a", "203.0.113.9"), attempt("a", "203.0.113.9")]).toEqual([401, 401, 401]);
    expect(attempt("c", "203.0.113.9", true)).toBe(limited(60));
  });

  test("past the per-account bound each client network gets one guess per window, and a fresh client still gets in", () => {
    const { clock, attempt } = loginLimits({ perAccount: 4 });
    const tries = (client: string) => [attempt("svc", client), attempt("svc", client), attempt("svc", client)];
    expect(tries("203.0.113.1")).toEqual([401, 401, 401]);
    clock.advance(10_000);
    expect(tries("203.0.113.2")).toEqual([401, limited(50), limited(50)]);
    expect(tries("203.0.113.3")).toEqual([401, limited(50), limited(50)]);
    expect(attempt("svc", "198.51.100.7", true)).toBe(200);
    expect(attempt("svc", "198.51.100.8")).toBe(401);
    expect(attempt("svc", "198.51.100.8", true)).toBe(limited(50));
  });

  test("one network's failures over all accounts are bounded (spraying), IPv6 by its /64", () => {
    const { attempt } = loginLimits({ perClient: 3 });
    const sprayed = ["a", "b", "c", "d"].map((account, i) => attempt(account, `2001:db8:1:2::${i + 1}`));
    expect(sprayed).toEqual([401, 401, 401, limited(60)]);
    expect(attempt("d", "2001:db8:1:3::1")).toBe(401);
  });

  test("attempts still being checked count: parallel logins past the limit are refused before their hash", () => {
    const { limits, attempt } = loginLimits();
    const inFlight = [limits.admit("svc", "203.0.113.9"), limits.admit("svc", "203.0.113.9"), limits.admit("svc", "203.0.113.9")];
    expect(attempt("svc", "203.0.113.9", true)).toBe(limited(60));
    limits.succeeded(inFlight[0]!);
    expect(attempt("svc", "203.0.113.9", true)).toBe(200);
  });

  test("a limit of 0 turns that key's rule off", () => {
    const { attempt } = loginLimits({ perClient: 0, perAccountAndClient: 0, perAccount: 0 });
    expect(Array.from({ length: 20 }, () => attempt("svc", "203.0.113.9"))).toEqual(Array(20).fill(401));
  });

  test("memory stays bounded however many clients and names are tried", () => {
    const { limits, attempt } = loginLimits({}, 50);
    for (let i = 0; i < 1000; i++) attempt(`name:${i}`, `203.0.${i >> 8}.${i & 255}`);
    expect(limits.size).toBeLessThanOrEqual(150);
  });
});
