import { expect } from "bun:test";
import { runScenarios } from "../helpers/scenario";
import { registryHarness } from "./harness";
import { list, register } from "./instances";

/** Every row on its own in-process registry app. */
const freshRegistry = { open: () => registryHarness() };

const URL_A = "http://127.0.0.1:9311";

runScenarios("PUT /registry-svc/instance", freshRegistry, [
  {
    name: "a service account registers its URL: 201 {} and it is stored as Unknown under its slug",
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: { url: URL_A },
    status: 201,
    expectBody: {},
    check: async (_r, h) => {
      const [instance, ...rest] = await list(h, "alpha");
      expect(rest).toEqual([]);
      expect(instance).toEqual({ id: expect.stringMatching(/^inst-\w+$/), url: URL_A, slug: "alpha-svc", status: "Unknown", scheme: "http", host: "127.0.0.1", ip: "127.0.0.1", port: 9311 });
    },
  },
  {
    name: "the URL is normalised: scheme and host lowercased, default port explicit, trailing slash dropped",
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: { url: "HTTPS://Api.Example.COM/prefix/" },
    status: 201,
    check: async (_r, h) => {
      const [instance] = await list(h, "alpha");
      expect(instance).toMatchObject({ url: "https://api.example.com:443/prefix", scheme: "https", host: "api.example.com", port: 443, path: "/prefix" });
    },
  },
  {
    name: "scheme + host + port + path build the URL",
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: { scheme: "http", host: "svc.local", port: 8080, path: "/api", deploymentId: "depl-1", healthCheckPath: "/healthz" },
    status: 201,
    check: async (_r, h) => {
      const [instance] = await list(h, "alpha");
      expect(instance).toMatchObject({ url: "http://svc.local:8080/api", deploymentId: "depl-1", healthCheckPath: "/healthz" });
    },
  },
  {
    name: "ip + port (scheme defaults to http) build the URL",
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: { ip: "127.0.10.5", port: 9000 },
    status: 201,
    check: async (_r, h) => expect((await list(h, "alpha"))[0]).toMatchObject({ url: "http://127.0.10.5:9000", ip: "127.0.10.5" }),
  },
  {
    name: "a caller-supplied id is kept",
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: { url: URL_A, id: "inst-mine" },
    status: 201,
    check: async (_r, h) => expect((await list(h, "alpha"))[0].id).toBe("inst-mine"),
  },
  {
    name: "the owner's re-registration is an idempotent upsert and a heartbeat",
    setup: (h) => register(h, "alpha", URL_A),
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: { url: "http://127.0.0.1:9311/" },
    status: 201,
    check: async (_r, h) => {
      const instances = await list(h, "alpha");
      expect(instances).toHaveLength(1);
      expect(Date.parse(instances[0].lastHeartbeat)).toBeGreaterThan(Date.now() - 60_000);
      expect(instances[0].lastHeartbeat).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    },
  },
  {
    name: "another slug registering the same URL gets 409 and ownership is unchanged",
    setup: (h) => register(h, "alpha", URL_A),
    method: "PUT",
    path: "/registry-svc/instance",
    as: "beta",
    body: { url: "http://127.0.0.1:9311" },
    status: 409,
    code: "registry.instance_owned",
    check: async (_r, h) => {
      expect((await list(h, "admin")).map((i) => i.slug)).toEqual(["alpha-svc"]);
      expect(await list(h, "beta")).toEqual([]);
    },
  },
  {
    name: "another slug reusing an existing instance id gets 409",
    setup: (h) => register(h, "alpha", { url: URL_A, id: "inst-a" }),
    method: "PUT",
    path: "/registry-svc/instance",
    as: "beta",
    body: { url: "http://127.0.0.1:9999", id: "inst-a" },
    status: 409,
  },
  {
    name: "an id of one instance with the URL of another is a 409",
    setup: async (h) => {
      await register(h, "alpha", { url: URL_A, id: "inst-a" });
      await register(h, "alpha", { url: "http://127.0.0.1:9312", id: "inst-b" });
    },
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: { url: URL_A, id: "inst-b" },
    status: 409,
    code: "registry.url_registered",
  },
  {
    name: "an admin may take over another slug's instance",
    setup: (h) => register(h, "alpha", { url: URL_A, id: "inst-a" }),
    method: "PUT",
    path: "/registry-svc/instance",
    as: "admin",
    body: { url: URL_A },
    status: 201,
    check: async (_r, h) => expect(await list(h, "admin")).toEqual([expect.objectContaining({ id: "inst-a", slug: "1backend", status: "Unknown" })]),
  },
  { name: "no token: 401", method: "PUT", path: "/registry-svc/instance", body: { url: URL_A }, status: 401 },
  { name: "an unknown token: 401", method: "PUT", path: "/registry-svc/instance", as: "forged", body: { url: URL_A }, status: 401 },
  { name: "an account without the permission: 403", method: "PUT", path: "/registry-svc/instance", as: "nobody", body: { url: URL_A }, status: 403 },
  {
    name: "malformed JSON: 400",
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: "{url:",
    status: 400,
    code: "http.invalid_json",
  },
  {
    name: "neither url nor host: 400 naming url",
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: {},
    status: 400,
    check: (r) => expect(r.body.error).toContain("url"),
  },
  {
    name: "a region is stored with the instance and listed",
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: { url: URL_A, region: "eu-west-1.a_2" },
    status: 201,
    check: async (_r, h) => {
      expect(await list(h, "alpha")).toEqual([expect.objectContaining({ url: URL_A, region: "eu-west-1.a_2" })]);
      expect(h.registry.table.findByUrl(URL_A)!.region).toBe("eu-west-1.a_2");
    },
  },
  {
    name: "without a region the instance has no region field",
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: { url: URL_A },
    status: 201,
    check: async (_r, h) => expect(await list(h, "alpha")).toEqual([expect.not.objectContaining({ region: expect.anything() })]),
  },
  ...(
    [
      ["uppercase", "EU-West-1"],
      ["a leading dash", "-eu"],
      ["a leading dot", ".eu"],
      ["a space", "eu west"],
      ["a slash", "eu/west"],
      ["empty", ""],
      ["65 characters", "a".repeat(65)],
      ["a number", 1],
    ] as const
  ).map(([what, region]) => ({
    name: `a region with ${what}: 400 naming region, nothing stored`,
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: { url: URL_A, region },
    status: 400,
    code: "http.invalid_request",
    check: (r: { body: any }, h: any) => {
      expect(r.body.error).toContain("region");
      expect(h.registry.table.size).toBe(0);
    },
  })),
  {
    name: "a region of 64 characters is accepted",
    method: "PUT",
    path: "/registry-svc/instance",
    as: "alpha",
    body: { url: URL_A, region: "a".repeat(64) },
    status: 201,
  },
]);
