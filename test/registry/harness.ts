/**
 * @module In-process registry app with a fake gate: the real handler, error mapping and storage,
 * with the registry module built against {@link FakeGate}. Options reach the registry module (e.g.
 * a scripted probe) and the config (`env`).
 */
import { Elysia } from "elysia";
import { createApp } from "../../src/app";
import { openConfiguredDatabase } from "../../src/db/open";
import type { Deps } from "../../src/deps";
import type { BaseDeps } from "../../src/modules/module";
import { createHandler } from "../../src/handler";
import { silentLogger } from "../../src/lib/log";
import type { Clock } from "../../src/lib/clock";
import { createProxyModule } from "../../src/modules/proxy";
import { createObservabilityModule } from "../../src/modules/observability";
import { createRegistryModule, type RegistryModule, type RegistryModuleOptions } from "../../src/modules/registry";
import { testConfig } from "../helpers/config";
import { tempDir } from "../helpers/temp-dir";
import { standardGate, type FakeGate } from "./fake-gate";
import { ScriptedResolver } from "./fake-resolver";

/** The in-process app around a real registry module, and ways to call and restart it. */
export interface RegistryHarness {
  gate: FakeGate;
  registry: RegistryModule;
  deps: BaseDeps;
  folder: string;
  json<T = any>(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<{ status: number; body: T; text: string; headers: Headers }>;
  /** Stops the registry and closes the database, keeping the folder (for restarts). */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Builds the harness on a temp folder (or `folder`, to reopen one); `await using` closes it. */
export async function registryHarness(
  options: { env?: Record<string, string>; clock?: Clock; gate?: FakeGate; folder?: string } & RegistryModuleOptions = {},
): Promise<RegistryHarness> {
  const dir = options.folder ? undefined : tempDir();
  const folder = options.folder ?? dir!.path;
  const config = testConfig(folder, options.env);
  // The run's dialect (test/helpers/dialect.ts): the folder's file on SQLite, its own tables on PostgreSQL.
  const opened = await openConfiguredDatabase(config, silentLogger);
  await opened.migrate();
  const base: BaseDeps = { config, database: opened.database, db: opened.database.db, sqlite: opened.sqlite, clock: options.clock ?? { now: () => Date.now() }, log: silentLogger };
  const gate = options.gate ?? standardGate();
  // No DNS from tests: names resolve through a scripted resolver (localhost only, unless given one).
  const resolve = options.resolve ?? new ScriptedResolver().resolve;
  const registry = await createRegistryModule(base, gate, { probe: options.probe, resolve, interfaces: options.interfaces });
  // Only the gate and routes of the User Svc are used by the app; the rest stays out of registry tests.
  const user = { gate, routes: new Elysia({ name: "user-svc" }) } as unknown as Deps["user"];
  const proxy = createProxyModule(base, gate, registry.routing);
  const observability = await createObservabilityModule(base, gate, () => registry.jobs());
  // No edge in registry tests: its routes only.
  const edge = { routes: new Elysia({ name: "proxy-svc" }) } as unknown as Deps["edge"];
  const deps: Deps = { ...base, user, registry, proxy, edge, observability, close: opened.close };
  const handle = createHandler(deps, createApp(deps));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await proxy.stop?.();
    await registry.stop?.();
    await opened.close();
  };
  return {
    gate,
    registry,
    deps: base,
    folder,
    async json(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
        headers["content-type"] ??= "application/json";
      }
      const response = (await handle(new Request(`http://localhost${path}`, { method, headers, body })))!;
      const text = await response.text();
      return { status: response.status, text, body: text ? JSON.parse(text) : null, headers: response.headers };
    },
    close,
    async [Symbol.asyncDispose]() {
      await close();
      await dir?.[Symbol.asyncDispose]();
    },
  };
}
