/**
 * @module The User Svc scenario fixture: a fresh in-process app per row, started from a database in
 * which `alice` and `bob` (plain users of `test.app`) are registered and the `1backend` admin is
 * logged in, so a row names its caller (`as: "alice"`) and creates the rest in its own `setup`.
 */
import { expect } from "bun:test";
import { Elysia } from "elysia";
import { createApp } from "../../src/app";
import { openConfiguredDatabase } from "../../src/db/open";
import type { Deps } from "../../src/deps";
import { createHandler } from "../../src/handler";
import { systemClock } from "../../src/lib/clock";
import { silentLogger } from "../../src/lib/log";
import type { BaseDeps } from "../../src/modules/module";
import { createUserModule } from "../../src/modules/user";
import { appSnapshot, inProcessClient, type AppSnapshot, type TestApp } from "../helpers/app";
import { testConfig } from "../helpers/config";
import type { ScenarioApp, ScenarioFixture } from "../helpers/scenario";
import { tempDir } from "../helpers/temp-dir";
import { adminToken, register } from "./helpers";

type Caller = "alice" | "bob" | "admin";

/** One row's app: the three callers' tokens, and ids (`alice`, `bob`, `app`, and what `setup` adds). */
export interface UserApp extends ScenarioApp {
  tokens: Record<Caller, string>;
  ids: Record<string, string>;
  /**
   * A setup request as `as` (or with `token`): returns the body, and fails the row unless the answer
   * has `status` (200 when not given), so a row never runs on a setup that silently did nothing.
   */
  step(method: string, path: string, options?: { as?: Caller; token?: string; body?: unknown; status?: number }): Promise<any>;
}

interface Prepared {
  tokens: Record<Caller, string>;
  ids: Record<string, string>;
}

/** Runs once per table, on the whole app (`testApp`): the database every row starts from. */
async function prepare(t: TestApp): Promise<Prepared> {
  const alice = await register(t, "alice");
  const bob = await register(t, "bob");
  return { tokens: { alice: alice.token, bob: bob.token, admin: await adminToken(t) }, ids: { alice: alice.userId, bob: bob.userId, app: alice.appId } };
}

/** Prepared databases by env, each with the number of tables still to run on it. */
const prepared = new Map<string, { snapshot?: Promise<AppSnapshot<Prepared>>; tables: number }>();

/**
 * Each row gets its own copy of a prepared database, so a row's writes never reach another row. The
 * tables of a file with the same `env` share that database (made on the first row that needs it,
 * removed after the last of those tables): preparing costs a key pair, ~0.3 s on this machine.
 */
export function userFixture(options: { env?: Record<string, string> } = {}): ScenarioFixture<UserApp> {
  const key = JSON.stringify(options.env ?? {});
  const shared = prepared.get(key) ?? { tables: 0 };
  prepared.set(key, shared);
  shared.tables++;
  return {
    async open() {
      shared.snapshot ??= appSnapshot(prepare, { env: options.env });
      const snapshot = await shared.snapshot;
      const { value } = snapshot;
      const app = await userOnlyApp(snapshot, options.env);
      const { tokens } = value;
      return {
        ...app,
        tokens,
        ids: { ...value.ids },
        async step(method, path, { as, token, body, status = 200 } = {}) {
          const r = await app.json(method, path, { token: as ? tokens[as] : token, body });
          expect({ step: `${method} ${path}`, status: r.status, body: r.body }).toMatchObject({ status });
          return r.body;
        },
      };
    },
    async [Symbol.asyncDispose]() {
      if (--shared.tables > 0) return;
      prepared.delete(key);
      if (shared.snapshot) await (await shared.snapshot)[Symbol.asyncDispose]();
    },
  };
}

/**
 * The real handler and app (CORS, routing, errors, body rules) with only the User Svc built, on a copy
 * of the snapshot (a file on SQLite, tables under the row's own prefix on PostgreSQL). The other modules are empty route sets: a user row never reaches them, and building them
 * (registry, metrics, observability) would triple what a row costs (measured on the shared machine:
 * ~80 ms of CPU for a whole `testApp`, ~25 ms for this one, most of it Elysia building its router and
 * compiling each route on its first request).
 */
async function userOnlyApp(snapshot: AppSnapshot<Prepared>, env?: Record<string, string>): Promise<Pick<TestApp, "json" | "request" | typeof Symbol.asyncDispose>> {
  const dir = tempDir();
  await snapshot.restore(dir.path);
  const config = testConfig(dir.path, env);
  const opened = await openConfiguredDatabase(config, silentLogger); // no migrate: the snapshot is migrated
  const base: BaseDeps = { config, database: opened.database, db: opened.database.db, sqlite: opened.sqlite, clock: systemClock, log: silentLogger, fastCrypto: true };
  const user = await createUserModule(base);
  const none = (name: string) => ({ routes: new Elysia({ name }) });
  const deps = { ...base, user, registry: none("registry-svc"), proxy: none("proxy-svc"), edge: none("edge"), observability: none("observability"), close: opened.close } as unknown as Deps;
  return {
    ...inProcessClient(createHandler(deps, createApp(deps))),
    async [Symbol.asyncDispose]() {
      await user.stop?.();
      await opened.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}
