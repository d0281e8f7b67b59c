/** The edge listeners' variables (config.ts): defaults, [host:]port, and the start refused without OB_ENCRYPTION_KEY. */
import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config";
import { TEST_ENCRYPTION_KEY } from "./helpers";

const base = { OB_SELF_URL: "http://127.0.0.1:0", OB_FOLDER: "/tmp" };

describe("edge config", () => {
  test("off by default; 443 and 80 on all interfaces", () => {
    const config = loadConfig(base);
    expect([config.edgeProxy, config.edgeTestMode, config.edgeHttps, config.edgeHttp]).toEqual([false, false, { host: "0.0.0.0", port: 443 }, { host: "0.0.0.0", port: 80 }]);
  });

  test("a port, or host:port for one interface; 0 is a free port", () => {
    const config = loadConfig({ ...base, OB_EDGE_PROXY: "true", OB_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, OB_EDGE_PROXY_TEST_MODE: "true", OB_EDGE_PROXY_HTTPS_PORT: "[::1]:8443", OB_EDGE_PROXY_HTTP_PORT: "0" });
    expect([config.edgeProxy, config.edgeTestMode, config.edgeHttps, config.edgeHttp]).toEqual([true, true, { host: "::1", port: 8443 }, { host: "0.0.0.0", port: 0 }]);
  });

  test("bad ports stop the start naming the variable", () => {
    for (const [name, value] of [["OB_EDGE_PROXY_HTTPS_PORT", "https"], ["OB_EDGE_PROXY_HTTP_PORT", "70000"], ["OB_EDGE_PROXY_HTTP_PORT", "host:"]] as const) {
      expect(() => loadConfig({ ...base, [name]: value })).toThrow(new RegExp(`^invalid ${name}`));
    }
  });

  test("the edge on without OB_ENCRYPTION_KEY stops the start naming it", () => {
    expect(() => loadConfig({ ...base, OB_EDGE_PROXY: "true" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, OB_EDGE_PROXY: "true", OB_EDGE_PROXY_TEST_MODE: "true" })).toThrow(/^missing OB_ENCRYPTION_KEY/);
    expect(loadConfig({ ...base, OB_EDGE_PROXY: "true", OB_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }).edgeProxy).toBe(true);
  });
});
