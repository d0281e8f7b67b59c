import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { statSync, writeFileSync, mkdirSync } from "node:fs";
import { flagsToJson } from "../../cli/flags-to-json";
import { age, table } from "../../cli/output";
import { CliError } from "../../cli/errors";
import { loadConfig, saveConfig } from "../../cli/config";
import { render, yaml } from "../../cli/output";
import { parseYaml } from "../../cli/yaml-file";
import { UsageError } from "../../cli/errors";
import { tempDir } from "../helpers/temp-dir";

describe("flagsToJson (1Backend's flags_to_map cases)", () => {
  test.each([
    [["--id=1"], { id: 1 }],
    [["--id=5", "--id=5"], { id: [5, 5] }],
    [["--user-name=joe"], { user: { name: "joe" } }],
    [["--user.name=joe"], { user: { name: "joe" } }],
    [["--user-name=joe", "--user-age=30"], { user: { name: "joe", age: 30 } }],
    [["--user.name=joe", "--user.age=30"], { user: { name: "joe", age: 30 } }],
    [["--user-active=true"], { user: { active: true } }],
    [["--user-id=1", "--order-id=100"], { user: { id: 1 }, order: { id: 100 } }],
    [["--user-info-name=alice", "--user-info-age=25"], { user: { info: { name: "alice", age: 25 } } }],
    [["--app-host=x"], { app: { host: "x" } }],
    [["--valueText=x"], { valueText: "x" }],
    [["--ratio=1.5", "--off=false", "--v=1.0.2", "--empty="], { ratio: 1.5, off: false, v: "1.0.2", empty: "" }],
    [["--url=http://h:1/?a=b"], { url: "http://h:1/?a=b" }],
  ] as [string[], unknown][])("%p", (args, expected) => {
    expect(flagsToJson(args)).toEqual(expected as Record<string, never>);
  });

  test("rejects arguments that are not --key=value", () => {
    expect(() => flagsToJson(["/path"])).toThrow(UsageError);
    expect(() => flagsToJson(["--flag"])).toThrow("invalid flag format: --flag");
    expect(() => flagsToJson(["--a=1", "--a-b=2"])).toThrow(/conflicts/);
  });
});

describe("output", () => {
  test("table pads every column but the last to its widest cell plus three spaces", () => {
    expect(table(["ID", "URL", "STATUS"], [["inst-1", "http://127.0.0.1:9311", "Healthy"], ["inst-22", "http://h:1", "Unreachable"]])).toBe(
      ["ID        URL                     STATUS", "inst-1    http://127.0.0.1:9311   Healthy", "inst-22   http://h:1              Unreachable"].join("\n"),
    );
  });

  test("age prints Go-style durations truncated to seconds", () => {
    const now = Date.parse("2025-01-01T02:00:00Z");
    const at = (ms: number) => new Date(now - ms).toISOString();
    expect([at(0), at(10_400), at(65_000), at(300_000), at(3_605_000), at(-3_000)].map((t) => age(t, now))).toEqual([
      "0s ago", "10s ago", "1m5s ago", "5m0s ago", "1h0m5s ago", "-3s ago",
    ]);
    expect([age(undefined, now), age("0001-01-01T00:00:00Z", now), age("garbage", now)]).toEqual(["never", "never", "garbage"]);
  });
});

describe("cliConfig.yaml", () => {
  test("a missing file means the local environment, selected", async () => {
    await using dir = tempDir();
    expect(loadConfig(join(dir.path, "none.yaml"))).toEqual({
      selectedEnvironment: "local",
      environments: { local: { url: "http://127.0.0.1:11337", shortName: "local", description: "" } },
    });
  });

  test("reads 1Backend's format and writes it back 0600", async () => {
    await using dir = tempDir();
    const path = join(dir.path, ".1backend", "cliConfig.yaml");
    mkdirSync(join(dir.path, ".1backend"));
    writeFileSync(path, `selectedEnvironment: local
environments:
  local:
    url: http://127.0.0.1:11337
    shortName: local
    description: ""
    selectedUser: 1backend
    users:
      1backend:
        slug: 1backend
        selectedAppHost: unnamed
        tokensByAppHost:
          unnamed: eyJhbGciOi.x.y
`);
    const config = loadConfig(path);
    expect(config.environments.local!.users!["1backend"]!.tokensByAppHost.unnamed).toBe("eyJhbGciOi.x.y");
    saveConfig(config, path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadConfig(path)).toEqual(config);
  });
});

describe("YAML errors name the line", () => {
  test.each([
    ["- permission: a\n  roles: [x\n- permission: b\n", "line 3, column 1"],
    ["a: 1\n\tb: 2\n", "line 2, column 1: Tabs are not allowed as indentation"],
    ["ok: 1\nb: : 2\n", "line 2, column 4"],
  ])("%j", (text, where) => {
    expect(() => parseYaml(text, "p.yaml")).toThrow(CliError);
    expect(() => parseYaml(text, "p.yaml")).toThrow(`cannot parse p.yaml: ${where}`);
  });
  test("valid YAML and JSON parse with Bun.YAML", () => {
    expect(parseYaml("- a: 1\n", "f")).toEqual([{ a: 1 }]);
    expect(parseYaml('{"a": [1, "x"]}', "f")).toEqual({ a: [1, "x"] });
  });
});

describe("render (-o)", () => {
  test("json and yaml print the data; table calls the table builder only for the table format", () => {
    const data = [{ id: "a", roles: ["x"] }];
    let built = 0;
    const tableOf = () => (built++, "TABLE");
    expect(render("json", data, tableOf)).toBe(JSON.stringify(data, null, 2));
    expect(render("yaml", data, tableOf)).toBe(yaml(data));
    expect(Bun.YAML.parse(render("yaml", data, tableOf))).toEqual(data);
    expect(built).toBe(0);
    expect(render("table", data, tableOf)).toBe("TABLE");
  });
});
