import { describe, expect, test } from "bun:test";
import { ConfigError, describeConfig, loadConfig } from "../../src/config";
import { parseDuration } from "../../src/lib/duration";

describe("config", () => {
  test("defaults match the contract", () => {
    const c = loadConfig({ OB_FOLDER: "/tmp/x" });
    expect(c.selfUrl).toBe("http://127.0.0.1:11337");
    expect([c.listenHost, c.listenPort]).toEqual(["127.0.0.1", 11337]);
    expect(c.tokenExpirationMs).toBe(5 * 60_000);
    expect(c.tokenAutoRefresh).toBe(true);
    expect(c.bodyLimitBytes).toBe(1024 * 1024);
    expect(c.healthIntervalMs).toBe(5000);
    expect(c.instanceTtlMs).toBe(10 * 60_000);
    expect(c.proxyTimeoutMs).toBe(60_000);
  });

  test("OB_SELF_URL sets the port and OB_LISTEN overrides the bind address", () => {
    expect(loadConfig({ OB_SELF_URL: "http://localhost:8080/" }).listenPort).toBe(8080);
    const c = loadConfig({ OB_SELF_URL: "http://example.com:8080", OB_LISTEN: "0.0.0.0:11337" });
    expect([c.listenHost, c.listenPort, c.selfUrl]).toEqual(["0.0.0.0", 11337, "http://example.com:8080"]);
  });

  test("Go durations and switches are parsed", () => {
    const c = loadConfig({ OB_TOKEN_EXPIRATION: "1h30m", OB_TOKEN_AUTO_REFRESH_OFF: "true", OB_INSTANCE_TTL: "0" });
    expect(c.tokenExpirationMs).toBe(90 * 60_000);
    expect(c.tokenAutoRefresh).toBe(false);
    expect(c.instanceTtlMs).toBe(0);
    expect(loadConfig({ OB_TOKEN_EXPIRATION: "0s" }).tokenExpirationMs).toBe(5 * 60_000);
    expect(parseDuration("300ms")).toBe(300);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("5")).toBeUndefined();
    expect(parseDuration("5x")).toBeUndefined();
  });

  test.each([
    ["OB_TOKEN_EXPIRATION", "5 minutes"],
    ["OB_SELF_URL", "ftp://host"],
    ["OB_LISTEN", "nonsense"],
    ["OB_LOG_LEVEL", "loud"],
    ["OB_BODY_LIMIT", "-1"],
    ["OB_TOKEN_AUTO_REFRESH_OFF", "maybe"],
    ["OB_HEALTH_INTERVAL", "0"],
  ])("a bad %s stops the start with a message naming it", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  test("--help text lists every variable with its default", () => {
    const help = describeConfig();
    for (const name of ["OB_SELF_URL", "OB_LISTEN", "OB_FOLDER", "OB_TOKEN_EXPIRATION", "OB_TOKEN_AUTO_REFRESH_OFF", "OB_ADMIN_PASSWORD", "OB_LOG_LEVEL"]) {
      expect(help).toContain(name);
    }
    expect(help).toContain("default: http://127.0.0.1:11337");
  });
});
