/**
 * @module Scenario tables for registry endpoints (PocketBase's ApiScenario): each row is a fresh app,
 * optional setup, one request, the expected status and body, and optional checks afterwards.
 */
import { describe, expect, test } from "bun:test";
import { registryHarness, type RegistryHarness } from "./harness";

/** One row: an optional setup, one request, what must come back, and optional checks after it. */
export interface Scenario {
  name: string;
  setup?: (h: RegistryHarness) => Promise<unknown>;
  method: string;
  path: string;
  token?: string;
  body?: unknown;
  status: number;
  /** Whole-body equality. */
  expectBody?: unknown;
  /** The error code of an error response. */
  code?: string;
  check?: (response: { status: number; body: any; text: string }, h: RegistryHarness) => unknown;
}

/** One `describe(title)` with a test per scenario, each on a fresh {@link registryHarness}. */
export function runScenarios(title: string, scenarios: Scenario[]): void {
  describe(title, () => {
    for (const s of scenarios) {
      test(s.name, async () => {
        await using h = await registryHarness();
        await s.setup?.(h);
        const r = await h.json(s.method, s.path, { token: s.token, body: s.body });
        expect({ status: r.status, text: r.text }).toMatchObject({ status: s.status });
        if (s.expectBody !== undefined) expect(r.body).toEqual(s.expectBody);
        if (s.code !== undefined) expect(r.body.code).toBe(s.code);
        await s.check?.(r, h);
      });
    }
  });
}

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
