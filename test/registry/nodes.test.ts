import { expect } from "bun:test";
import { runScenarios } from "../helpers/scenario";
import { registryHarness } from "./harness";

/** Every row on its own in-process registry app. */
const freshRegistry = { open: () => registryHarness() };

const nodeShape = {
  id: expect.stringMatching(/^node-\w+$/),
  url: "http://127.0.0.1:0",
  lastHeartbeat: expect.stringMatching(/Z$/),
  usage: {
    cpu: { used: expect.any(Number), total: 100, percent: expect.any(Number) },
    memory: { used: expect.any(Number), total: expect.any(Number), percent: expect.any(Number) },
    disk: { used: expect.any(Number), total: expect.any(Number), percent: expect.any(Number) },
  },
};

runScenarios("registry nodes", freshRegistry, [
  {
    name: "GET node/self works from the first request",
    method: "GET",
    path: "/registry-svc/node/self",
    as: "admin",
    status: 200,
    check: (r) => {
      expect(r.body).toEqual({ node: nodeShape });
      expect(r.body.node.usage.memory.total).toBeGreaterThan(0);
    },
  },
  { name: "node/self without a token: 401", method: "GET", path: "/registry-svc/node/self", status: 401 },
  { name: "node/self without the permission: 403", method: "GET", path: "/registry-svc/node/self", as: "nobody", status: 403 },
  {
    name: "POST nodes without a body lists all nodes",
    method: "POST",
    path: "/registry-svc/nodes",
    as: "admin",
    status: 200,
    check: (r) => expect(r.body).toEqual({ nodes: [nodeShape] }),
  },
  {
    name: "POST nodes with ids lists only those",
    method: "POST",
    path: "/registry-svc/nodes",
    as: "admin",
    body: { ids: ["node-unknown"] },
    status: 200,
    expectBody: { nodes: [] },
  },
  { name: "POST nodes with ids of the wrong type: 400", method: "POST", path: "/registry-svc/nodes", as: "admin", body: { ids: "x" }, status: 400 },
  {
    name: "DELETE node by its URL-encoded URL: 204, gone until the next heartbeat",
    method: "DELETE",
    path: `/registry-svc/node/${encodeURIComponent("http://127.0.0.1:0")}`,
    as: "admin",
    status: 204,
    check: async (_r, h) => {
      expect((await h.json("POST", "/registry-svc/nodes", { token: "admin" })).body).toEqual({ nodes: [] });
      await h.registry.nodes.runOnce();
      expect((await h.json("POST", "/registry-svc/nodes", { token: "admin" })).body.nodes).toHaveLength(1);
    },
  },
  { name: "DELETE an unknown node: 404", method: "DELETE", path: `/registry-svc/node/${encodeURIComponent("http://nope:1")}`, as: "admin", status: 404, code: "registry.node_not_found" },
  { name: "DELETE node as a non-admin: 403", method: "DELETE", path: `/registry-svc/node/${encodeURIComponent("http://127.0.0.1:0")}`, as: "alpha", status: 403 },
]);

runScenarios("registry echo", freshRegistry, [
  {
    name: "POST echoes the JSON body with a trailing newline",
    method: "POST",
    path: "/registry-svc/echo",
    body: { a: [1, "x"], b: { c: null } },
    status: 200,
    check: (r) => expect(r.text).toBe('{"a":[1,"x"],"b":{"c":null}}\n'),
  },
  { name: "PUT echoes any JSON value", method: "PUT", path: "/registry-svc/echo", body: "[1,2]", status: 200, check: (r) => expect(r.text).toBe("[1,2]\n") },
  { name: "an empty body echoes {}", method: "POST", path: "/registry-svc/echo", status: 200, check: (r) => expect(r.text).toBe("{}\n") },
  { name: "malformed JSON: 400", method: "POST", path: "/registry-svc/echo", body: "{", status: 400, code: "http.invalid_json" },
  {
    name: "GET echoes the query; a repeated key becomes an array",
    method: "GET",
    path: "/registry-svc/echo?a=1&b=2&b=3&__proto__=x&__proto__=y",
    status: 200,
    check: (r) => expect(r.text).toBe('{"a":"1","b":["2","3"],"__proto__":["x","y"]}\n'),
  },
]);
