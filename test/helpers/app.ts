/**
 * @module In-process app for scenario tests: the run's database (a real SQLite file in a temp folder,
 * or tables of its own on the run's PostgreSQL: dialect.ts), the real handler (CORS, routing,
 * errors), no socket. `await using t = await testApp()`; `appSnapshot` prepares a database once that
 * many fresh apps start from.
 */
import { Database } from "bun:sqlite";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { createApp } from "../../src/app";
import { createDeps, type Deps, type DepsOverrides } from "../../src/deps";
import { createHandler, type RequestHandler } from "../../src/handler";
import { testConfig } from "./config";
import { copyDatabaseState, onPostgres } from "./dialect";
import { tempDir } from "./temp-dir";

/** The file `createDeps` opens in the state folder. */
export const DATABASE_FILE = "1backend.db";

export interface TestApp {
  deps: Deps;
  /** Sends a request through the full handler. `body` objects are JSON-encoded; strings are sent as-is. */
  request(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Like `request`, returning status and parsed JSON (or null for an empty body). */
  json<T = any>(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<{ status: number; body: T; text: string; headers: Headers }>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface TestAppOptions extends DepsOverrides {
  env?: Record<string, string>;
}

export async function testApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = tempDir();
  const { env, ...overrides } = options;
  let deps: Deps;
  try {
    deps = await createDeps(testConfig(dir.path, env), { fastCrypto: true, ...overrides });
  } catch (err) {
    await dir[Symbol.asyncDispose](); // a test expecting the start to fail owns no handle to clean up with
    throw err;
  }
  return {
    deps,
    ...inProcessClient(createHandler(deps, createApp(deps))),
    async [Symbol.asyncDispose]() {
      for (const m of [deps.edge, deps.proxy, deps.registry, deps.user]) await m.stop?.();
      await deps.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** `request` and `json` of a {@link TestApp} over a request handler, with no socket. */
export function inProcessClient(handle: RequestHandler): Pick<TestApp, "request" | "json"> {
  const request: TestApp["request"] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await handle(new Request(`http://localhost${path}`, { method, headers, body }));
    if (!response) throw new Error("handler returned no response (WebSocket upgrade?)");
    return response;
  };
  return {
    request,
    async json(method, path, opts) {
      const response = await request(method, path, opts);
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null, text, headers: response.headers };
    },
  };
}

/** A database prepared once, and what preparing it returned (ids, tokens: valid in every copy). */
export interface AppSnapshot<T> {
  /** Puts a copy of the prepared database into the state folder `folder` (migrated: open it, no migrate). */
  restore(folder: string): Promise<void>;
  value: T;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Builds an app, runs `prepare` on it and keeps a copy of its database: copying it is how a fresh
 * app per scenario stays cheap (PocketBase's test apps copy a prepared data folder the same way).
 * The first start of a database generates the signing key pair (RSA-2048, 40–130 ms measured here),
 * more than a whole scenario; a copy starts with the key, the admin and whatever `prepare` made.
 * On SQLite the copy is a file; on PostgreSQL it is the app's tables under the snapshot folder's prefix.
 */
export async function appSnapshot<T>(prepare: (t: TestApp) => Promise<T>, options: TestAppOptions = {}): Promise<AppSnapshot<T>> {
  const dir = tempDir("1backend-snapshot-");
  const file = join(dir.path, DATABASE_FILE);
  try {
    await using t = await testApp(options);
    const value = await prepare(t);
    if (onPostgres) await copyDatabaseState(t.deps.config.folder, dir.path);
    else vacuumInto(t.deps.sqlite!, file);
    return {
      value,
      restore: async (folder) => (onPostgres ? copyDatabaseState(dir.path, folder) : copyFileSync(file, join(folder, DATABASE_FILE))),
      [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
    };
  } catch (err) {
    await dir[Symbol.asyncDispose]();
    throw err;
  }
}

/** Writes the live SQLite database at `connection` to `file` as one self-contained file in WAL mode. */
function vacuumInto(connection: Database, file: string): void {
  // VACUUM INTO writes one self-contained file: the live database keeps recent commits in its WAL,
  // which closing does not fold back while the stores' prepared statements hold the connection.
  connection.run("VACUUM INTO ?", [file]);
  // Its copy comes out in rollback-journal mode; switched to WAL here once (the mode is stored in the
  // file), so each copy opens as openDatabase wants it instead of converting (~9 ms a copy, profiled).
  using copy = new Database(file);
  copy.run("PRAGMA journal_mode = WAL");
}
