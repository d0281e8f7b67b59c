/** @module Registry test steps through the API: register an instance (asserting 201 {}), list what a caller sees. */
import { expect } from "bun:test";
import type { RegistryHarness } from "./harness";

/** Registers `url` as `token`, asserting success. */
export async function register(h: RegistryHarness, token: string, body: Record<string, unknown> | string): Promise<void> {
  const r = await h.json("PUT", "/registry-svc/instance", { token, body: typeof body === "string" ? { url: body } : body });
  expect({ status: r.status, body: r.body }).toEqual({ status: 201, body: {} });
}

/** The instances `token` sees. */
export async function list(h: RegistryHarness, token = "admin", query = ""): Promise<any[]> {
  const r = await h.json("GET", `/registry-svc/instances${query}`, { token });
  expect(r.status).toBe(200);
  return r.body.instances;
}
