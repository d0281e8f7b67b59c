import { expect } from "bun:test";
import { runScenarios } from "../helpers/scenario";
import { registryHarness, type RegistryHarness } from "./harness";
import { list, register } from "./instances";

/** Every row on its own in-process registry app. */
const freshRegistry = { open: () => registryHarness() };

/** alpha owns two instances (one with a deployment and a path, one in a region), beta one (in another region). */
async function threeInstances(h: RegistryHarness): Promise<void> {
  await register(h, "alpha", { url: "http://127.0.10.1:8000", id: "inst-a1", region: "eu-west-1" });
  await register(h, "alpha", { url: "http://api.example.com:8001/v1", id: "inst-a2", deploymentId: "depl-7" });
  await register(h, "beta", { url: "http://127.0.10.2:8000", id: "inst-b1", region: "us-east-1" });
}

const ids = (r: { body: any }) => r.body.instances.map((i: any) => i.id).sort();
const GET = "GET";

runScenarios("GET /registry-svc/instances", freshRegistry, [
  { name: "an empty registry lists an empty array", method: GET, path: "/registry-svc/instances", as: "alpha", status: 200, expectBody: { instances: [] } },
  {
    name: "a non-admin sees only its own instances",
    setup: threeInstances,
    method: GET,
    path: "/registry-svc/instances",
    as: "alpha",
    status: 200,
    check: (r) => expect(ids(r)).toEqual(["inst-a1", "inst-a2"]),
  },
  {
    name: "a non-admin asking for another slug sees nothing",
    setup: threeInstances,
    method: GET,
    path: "/registry-svc/instances?slug=beta-svc",
    as: "alpha",
    status: 200,
    expectBody: { instances: [] },
  },
  {
    name: "an admin sees all",
    setup: threeInstances,
    method: GET,
    path: "/registry-svc/instances",
    as: "admin",
    status: 200,
    check: (r) => expect(ids(r)).toEqual(["inst-a1", "inst-a2", "inst-b1"]),
  },
  {
    name: "proxy-svc sees all",
    setup: threeInstances,
    method: GET,
    path: "/registry-svc/instances",
    as: "proxy",
    status: 200,
    check: (r) => expect(ids(r)).toEqual(["inst-a1", "inst-a2", "inst-b1"]),
  },
  ...(
    [
      ["slug=beta-svc", ["inst-b1"]],
      ["host=127.0.10.1", ["inst-a1"]],
      ["host=API.example.com", ["inst-a2"]],
      ["ip=127.0.10.2", ["inst-b1"]],
      ["deploymentId=depl-7", ["inst-a2"]],
      ["region=eu-west-1", ["inst-a1"]],
      ["region=us-east-1", ["inst-b1"]],
      ["region=nowhere", []],
      ["slug=beta-svc&region=eu-west-1", []],
      ["path=/v1", ["inst-a2"]],
      ["id=inst-a1", ["inst-a1"]],
      ["slug=alpha-svc&host=127.0.10.1", ["inst-a1"]],
      ["slug=beta-svc&host=127.0.10.1", []],
      ["id=inst-nope", []],
      ["unknownFilter=x", ["inst-a1", "inst-a2", "inst-b1"]],
    ] as const
  ).map(([query, expected]) => ({
    name: `admin filter ${query} → ${expected.join(", ") || "none"} (filters combine with AND)`,
    setup: threeInstances,
    method: GET,
    path: `/registry-svc/instances?${query}`,
    as: "admin",
    status: 200,
    check: (r: { body: any }) => expect(ids(r)).toEqual([...expected]),
  })),
  {
    name: "each instance lists its region; one registered without has no region field",
    setup: threeInstances,
    method: GET,
    path: "/registry-svc/instances",
    as: "admin",
    status: 200,
    check: (r) => {
      const byId = new Map(r.body.instances.map((i: any) => [i.id, i]));
      expect(byId.get("inst-a1")).toMatchObject({ region: "eu-west-1" });
      expect(byId.get("inst-b1")).toMatchObject({ region: "us-east-1" });
      expect(byId.get("inst-a2")).not.toHaveProperty("region");
    },
  },
  { name: "no token: 401", method: GET, path: "/registry-svc/instances", status: 401 },
  { name: "an account without the permission: 403", method: GET, path: "/registry-svc/instances", as: "nobody", status: 403 },
]);

runScenarios("DELETE /registry-svc/instance/:id", freshRegistry, [
  {
    name: "the owner removes its instance: 204, empty body, gone",
    setup: threeInstances,
    method: "DELETE",
    path: "/registry-svc/instance/inst-a1",
    as: "alpha",
    status: 204,
    check: async (r, h) => {
      expect(r.text).toBe("");
      expect((await list(h)).map((i) => i.id).sort()).toEqual(["inst-a2", "inst-b1"]);
    },
  },
  {
    name: "an admin removes anyone's instance",
    setup: threeInstances,
    method: "DELETE",
    path: "/registry-svc/instance/inst-b1",
    as: "admin",
    status: 204,
    check: async (_r, h) => expect((await list(h)).map((i) => i.id).sort()).toEqual(["inst-a1", "inst-a2"]),
  },
  {
    name: "another slug may not remove it: 403, still there",
    setup: threeInstances,
    method: "DELETE",
    path: "/registry-svc/instance/inst-a1",
    as: "beta",
    status: 403,
    code: "registry.not_instance_owner",
    check: async (_r, h) => expect(await list(h)).toHaveLength(3),
  },
  { name: "an unknown id: 404", method: "DELETE", path: "/registry-svc/instance/inst-nope", as: "admin", status: 404, code: "registry.instance_not_found" },
  { name: "no token: 401", method: "DELETE", path: "/registry-svc/instance/inst-a1", status: 401 },
  { name: "an account without the permission: 403", method: "DELETE", path: "/registry-svc/instance/inst-a1", as: "nobody", status: 403 },
  {
    name: "a removed URL can be registered by another slug afterwards",
    setup: async (h) => {
      await threeInstances(h);
      expect((await h.json("DELETE", "/registry-svc/instance/inst-a1", { token: "alpha" })).status).toBe(204);
    },
    method: "PUT",
    path: "/registry-svc/instance",
    as: "beta",
    body: { url: "http://127.0.10.1:8000" },
    status: 201,
  },
]);
