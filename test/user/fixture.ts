/**
 * @module Scenario tables (PocketBase's ApiScenario, for bun test): one shared in-process app per
 * table, rows run in order against it, each asserting a status, an error code and optionally more.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testApp, type TestApp } from "../helpers/app";
import { adminToken, register } from "./helpers";

export interface Ctx {
  t: TestApp;
  tokens: Record<"alice" | "bob" | "admin", string>;
  ids: Record<string, string>;
}

export interface Scenario {
  name: string;
  method: string;
  path: string | ((c: Ctx) => string);
  body?: Record<string, unknown> | unknown[] | string | ((c: Ctx) => unknown);
  as?: "anon" | "alice" | "bob" | "admin" | ((c: Ctx) => string);
  headers?: Record<string, string>;
  status: number;
  code?: string;
  check?: (body: any, c: Ctx, headers: Headers) => void | Promise<void>;
}

/** Registers the table as tests: `alice` and `bob` are plain users in `test.app`, `admin` is `1backend`. */
export function scenarios(title: string, rows: Scenario[], options: { env?: Record<string, string> } = {}) {
  describe(title, () => {
    const c = { ids: {} } as Ctx;
    beforeAll(async () => {
      c.t = await testApp({ env: options.env });
      const alice = await register(c.t, "alice");
      const bob = await register(c.t, "bob");
      c.tokens = { alice: alice.token, bob: bob.token, admin: await adminToken(c.t) };
      Object.assign(c.ids, { alice: alice.userId, bob: bob.userId, app: alice.appId });
    });
    afterAll(async () => {
      await c.t[Symbol.asyncDispose]();
    });
    for (const row of rows) {
      test(`${row.method} ${typeof row.path === "string" ? row.path : "…"}: ${row.name} → ${row.status}`, async () => {
        const path = typeof row.path === "function" ? row.path(c) : row.path;
        const body = typeof row.body === "function" ? (row.body as (c: Ctx) => unknown)(c) : row.body;
        const as = row.as ?? "anon";
        const token = typeof as === "function" ? as(c) : as === "anon" ? undefined : c.tokens[as];
        const r = await c.t.json(row.method, path, { body, token, headers: row.headers });
        if (r.status !== row.status) throw new Error(`expected ${row.status}, got ${r.status}: ${JSON.stringify(r.body)}`);
        if (row.status >= 400) {
          expect(r.body).toEqual({ error: expect.any(String), code: row.code ?? expect.stringMatching(/^[a-z]+\.[a-z_]+$/) });
        }
        await row.check?.(r.body, c, r.headers);
      });
    }
  });
}
