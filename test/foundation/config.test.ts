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

  describe("database", () => {
    const url = "postgres://ob:secret@db.internal:5432/ob";

    test("SQLite is the default, with no prefix and a 30 s connect timeout", () => {
      const c = loadConfig({});
      expect([c.dbKind, c.dbConnectionString, c.dbPrefix, c.dbConnectTimeoutMs]).toEqual(["sqlite", undefined, "", 30_000]);
    });

    test("OB_DB=postgres takes the URL from OB_DB_CONNECTION_STRING", () => {
      const c = loadConfig({ OB_DB: "postgres", OB_DB_CONNECTION_STRING: url, OB_DB_PREFIX: "team_a_", OB_DB_CONNECT_TIMEOUT: "2m" });
      expect([c.dbKind, c.dbConnectionString, c.dbPrefix, c.dbConnectTimeoutMs]).toEqual(["postgres", url, "team_a_", 120_000]);
    });

    test.each([url, "postgresql://ob@127.0.0.1/ob"])("a URL in OB_DB itself is the connection string (%s)", (inline) => {
      const c = loadConfig({ OB_DB: inline });
      expect([c.dbKind, c.dbConnectionString]).toEqual(["postgres", inline]);
      expect(loadConfig({ OB_DB: inline, OB_DB_CONNECTION_STRING: inline }).dbConnectionString).toBe(inline);
    });

    test("OB_DB=postgres without a connection string stops the start naming OB_DB_CONNECTION_STRING", () => {
      expect(() => loadConfig({ OB_DB: "postgres" })).toThrow("OB_DB_CONNECTION_STRING");
      expect(() => loadConfig({ OB_DB: "postgres", OB_DB_CONNECTION_STRING: "mysql://x" })).toThrow("invalid OB_DB_CONNECTION_STRING");
    });

    test("two different URLs in OB_DB and OB_DB_CONNECTION_STRING are refused", () => {
      expect(() => loadConfig({ OB_DB: url, OB_DB_CONNECTION_STRING: "postgres://other@h/db" })).toThrow(ConfigError);
    });

    test.each([
      ["OB_DB", "mysql://root:hunter2@h/db"],
      ["OB_DB", "postgre"],
      ["OB_DB_PREFIX", "Team"],
      ["OB_DB_PREFIX", "a;drop table x"],
      ["OB_DB_PREFIX", "x".repeat(33)],
      ["OB_DB_CONNECT_TIMEOUT", "soon"],
      ["OB_DB_CONNECT_TIMEOUT", "0"],
    ])("a bad %s=%s stops the start naming it", (name, value) => {
      expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(name);
    });

    test("a refused URL is named, never echoed (it may carry a password)", () => {
      expect(() => loadConfig({ OB_DB: "mysql://root:hunter2@h/db" })).toThrow(/^invalid OB_DB: /);
      expect(() => loadConfig({ OB_DB: "mysql://root:hunter2@h/db" })).not.toThrow("hunter2");
    });

    test("a prefix of letters, digits and _ up to 32 characters is taken as is", () => {
      expect(loadConfig({ OB_DB_PREFIX: "t_0123456789abcdef0123456789abcd" }).dbPrefix).toBe("t_0123456789abcdef0123456789abcd");
    });
  });
});
