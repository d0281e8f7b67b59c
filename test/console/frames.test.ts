/** The console's SSE frame parser (console/src/sse.ts) and how a change applies to the list (instances.ts). */
import { describe, expect, test } from "bun:test";
import { FrameParser } from "../../console/src/sse";
import { applyChange } from "../../console/src/instances";
import type { Instance } from "../../src/contracts/registry/instances";

describe("FrameParser", () => {
  test("frames split across chunks and line ends of every kind; comments and keep-alives are skipped", () => {
    const parser = new FrameParser();
    expect(parser.push("event: snap")).toEqual([]);
    expect(parser.push('shot\ndata: {"instances":[]}\n')).toEqual([]);
    expect(parser.push("\n: keep-alive\n\n")).toEqual([{ event: "snapshot", data: '{"instances":[]}' }]);
    expect(parser.push("event:instance\r\ndata:a\r\ndata: b\r\n\r\nevent: end\rdata: {}\r\r")).toEqual([
      { event: "instance", data: "a\nb" },
      { event: "end", data: "{}" },
    ]);
    expect(parser.push("data: plain\n\n")).toEqual([{ event: "message", data: "plain" }]);
  });
});

describe("applyChange", () => {
  const base: Instance = { id: "i1", url: "http://127.0.0.1:9", slug: "a", status: "Healthy", lastHeartbeat: "2026-01-01T00:00:00.000Z", scheme: "http", host: "127.0.0.1", port: 9, deploymentId: "d1" };
  test("a status change keeps what the event leaves out; removed drops the instance; registered adds one", () => {
    const start = new Map([[base.id, base]]);
    const { lastHeartbeat: _, deploymentId: __, ...partial } = base;
    const changed = applyChange(start, { type: "status", instance: { ...partial, status: "Unreachable" } });
    expect(changed.get("i1")).toEqual({ ...base, status: "Unreachable" });
    expect(start.get("i1")!.status).toBe("Healthy"); // a new map: the old one is untouched
    expect(applyChange(changed, { type: "removed", instance: partial }).size).toBe(0);
    expect([...applyChange(start, { type: "registered", instance: { ...base, id: "i2" } }).keys()]).toEqual(["i1", "i2"]);
  });
});
