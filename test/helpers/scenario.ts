/**
 * @module Scenario tables (PocketBase's ApiScenario, for bun test): every row runs on a fresh app
 * from its fixture, with its own `setup`, one request, and the expected status, code, body and
 * checks. No row sees what another row did, so any row can run (or fail) alone.
 */
import { afterAll, describe, expect, test } from "bun:test";

/** What a row's request answers. */
export interface ScenarioResponse {
  status: number;
  /** Parsed JSON, or null for an empty body. */
  body: any;
  text: string;
  headers: Headers;
}

/** The app a row talks to. `tokens` names callers (`as: "alice"`); without it `as` is the token itself. */
export interface ScenarioApp {
  json(method: string, path: string, options: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<ScenarioResponse>;
  tokens?: Record<string, string>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Where each row's app comes from; disposed (if it can be) after the table. */
export interface ScenarioFixture<C extends ScenarioApp> {
  open(): Promise<C>;
  [Symbol.asyncDispose]?(): Promise<void>;
}

/** Part of a row's setup: creates something on the row's app (and may note its ids there). */
export type Step<C> = (c: C) => unknown;

/** One row. Functions get the row's own app, after its `setup` ran. */
export interface Scenario<C extends ScenarioApp> {
  name: string;
  /** What the request needs, made on this row's app: one step, or steps run in order. */
  setup?: Step<C> | Step<C>[];
  method: string;
  path: string | ((c: C) => string);
  /** Objects are sent as JSON, strings as they are. */
  body?: Record<string, unknown> | unknown[] | string | ((c: C) => unknown);
  /** A caller named in `c.tokens`, a token, or a function of the app giving the token; no token when absent. */
  as?: string | ((c: C) => string);
  headers?: Record<string, string>;
  status: number;
  /** The error code; an error answer is always `{ error, code }`, with a `<module>.<snake_case>` code when not given. */
  code?: string;
  /** Whole-body equality. */
  expectBody?: unknown;
  check?: (response: ScenarioResponse, c: C) => unknown;
}

/** One `describe(title)` with a test per row, each on `fixture.open()`. */
export function runScenarios<C extends ScenarioApp>(title: string, fixture: ScenarioFixture<C>, rows: Scenario<C>[]): void {
  describe(title, () => {
    afterAll(async () => {
      await fixture[Symbol.asyncDispose]?.();
    });
    for (const row of rows) {
      test(`${row.method} ${typeof row.path === "string" ? row.path : "…"}: ${row.name} → ${row.status}`, async () => {
        await using c = await fixture.open();
        for (const step of [row.setup ?? []].flat()) await step(c);
        const path = typeof row.path === "function" ? row.path(c) : row.path;
        const body = typeof row.body === "function" ? row.body(c) : row.body;
        const r = await c.json(row.method, path, { body, token: tokenOf(c, row.as), headers: row.headers });
        expect({ status: r.status, text: r.text }).toMatchObject({ status: row.status });
        if (row.status >= 400) {
          expect(r.body).toEqual({ error: expect.any(String), code: row.code ?? expect.stringMatching(/^[a-z]+\.[a-z_]+$/) });
        }
        if (row.expectBody !== undefined) expect(r.body).toEqual(row.expectBody);
        await row.check?.(r, c);
      });
    }
  });
}

function tokenOf<C extends ScenarioApp>(c: C, as: Scenario<C>["as"]): string | undefined {
  if (as === undefined) return undefined;
  if (typeof as === "function") return as(c);
  if (!c.tokens) return as;
  const token = c.tokens[as];
  if (token === undefined) throw new Error(`no caller named ${as} (known: ${Object.keys(c.tokens).join(", ")})`);
  return token;
}
