/** The TCP connect probe shared by the proxy and the prober (src/lib/tcp-probe.ts), and hostPortOf. */
import { describe, expect, test } from "bun:test";
import { canConnect, hostPortOf, probeTcp } from "../../src/lib/tcp-probe";
import { waitFor } from "../helpers/wait";
import { blackHole } from "../helpers/black-hole";

/** A listener that counts the connections open on it. */
function listener() {
  let open = 0;
  const l = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: { open: () => void open++, close: () => void open--, data() {} },
  });
  return { port: l.port, open: () => open, [Symbol.dispose]: () => l.stop(true) };
}

/** A port nothing listens on (a listener bound, then stopped). */
function refusedPort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = l;
  l.stop(true);
  return port;
}


describe("hostPortOf", () => {
  test.each([
    ["http://h:8080/prefix", { host: "h", port: 8080 }],
    ["http://h/x", { host: "h", port: 80 }],
    ["https://h/x", { host: "h", port: 443 }],
    ["ws://h", { host: "h", port: 80 }],
    ["wss://h", { host: "h", port: 443 }],
    ["http://[::1]:9/x", { host: "::1", port: 9 }],
    ["http://Example.COM:1", { host: "example.com", port: 1 }],
  ])("%s → %o", (url, expected) => expect(hostPortOf(url)).toEqual(expected));

  test("not a URL → undefined", () => expect(hostPortOf("no url")).toBeUndefined());
});

describe("probeTcp", () => {
  test("true when a connection opens, which is closed at once", async () => {
    using l = listener();
    expect(await probeTcp({ host: "127.0.0.1", port: l.port }, 2000)).toBe(true);
    await waitFor("the probe's connection to close", () => l.open() === 0);
  });

  test("an IPv6 host may carry its brackets", async () => {
    const l = Bun.listen({ hostname: "::1", port: 0, socket: { data() {} } });
    try {
      expect(await probeTcp({ host: "[::1]", port: l.port }, 2000)).toBe(true);
    } finally {
      l.stop(true);
    }
  });

  test("false when the connection is refused", async () => {
    expect(await probeTcp({ host: "127.0.0.1", port: refusedPort() }, 2000)).toBe(false);
  });

  test("false at once when the signal is already aborted", async () => {
    using l = listener();
    expect(await probeTcp({ host: "127.0.0.1", port: l.port }, 2000, AbortSignal.abort())).toBe(false);
    expect(l.open()).toBe(0);
  });

  test("a stalled endpoint: false after the timeout, then false at once while that connect is pending", async () => {
    using hole = await blackHole();
    const endpoint = { host: "127.0.0.1", port: hole.port };
    expect(await probeTcp(endpoint, 100)).toBe(false);
    const started = performance.now();
    expect(await probeTcp(endpoint, 5000)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test("an abort while connecting resolves false", async () => {
    using hole = await blackHole();
    const controller = new AbortController();
    const probe = probeTcp({ host: "127.0.0.1", port: hole.port }, 5000, controller.signal);
    controller.abort();
    expect(await probe).toBe(false);
  });
});

describe("canConnect (probeTcp to a URL's host and port)", () => {
  test("true when the instance accepts a connection, false when refused or not a URL; never rejects", async () => {
    using l = listener();
    expect(await canConnect(`http://127.0.0.1:${l.port}/prefix`, 2000)).toBe(true);
    expect(await canConnect(`http://127.0.0.1:${refusedPort()}`, 2000)).toBe(false);
    expect(await canConnect("no url", 2000)).toBe(false);
  });
});
