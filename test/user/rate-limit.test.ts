/** The login limiter: fixed windows, bounded memory, and IPv6 clients keyed by their /64. */
import { expect, test } from "bun:test";
import { clientNetwork, RateLimiter } from "../../src/modules/user/rate-limit";
import { FakeClock } from "../helpers/fake-clock";

test("allows `limit` attempts per window, then answers the seconds left; a new window starts afresh", () => {
  const clock = new FakeClock(1_000_000);
  const limiter = new RateLimiter(clock, 2, 60_000);
  expect([limiter.hit("a"), limiter.hit("a"), limiter.hit("a")]).toEqual([0, 0, 60]);
  clock.advance(45_500);
  expect(limiter.hit("a")).toBe(15);
  expect(limiter.hit("b")).toBe(0);
  clock.advance(15_000);
  expect(limiter.hit("a")).toBe(0);
});

test("expired windows are dropped as time passes and live keys never exceed maxKeys", () => {
  const clock = new FakeClock(0);
  const limiter = new RateLimiter(clock, 5, 1_000, 100);
  for (let i = 0; i < 250; i++) limiter.hit(`k${i}`);
  expect(limiter.size).toBe(100);
  expect(limiter.hit("k249")).toBe(0);
  clock.advance(1_000);
  limiter.hit("fresh");
  expect(limiter.size).toBe(1);
});

test("a limit of 0 disables the limiter and tracks nothing", () => {
  const limiter = new RateLimiter(new FakeClock(0), 0);
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
