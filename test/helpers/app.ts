/**
 * @module In-process app for scenario tests: real SQLite file in a temp folder, the real handler
 * (CORS, routing, errors), no socket. `await using t = await testApp()`.
 */
import { createApp } from "../../src/app";
import { createDeps, type Deps, type DepsOverrides } from "../../src/deps";
import { createHandler } from "../../src/handler";
import { testConfig } from "./config";
import { tempDir } from "./temp-dir";

export interface TestApp {
  deps: Deps;
  /** Sends a request through the full handler. `body` objects are JSON-encoded; strings are sent as-is. */
  request(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Like `request`, returning status and parsed JSON (or null for an empty body). */
  json<T = any>(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<{ status: number; body: T; headers: Headers }>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function testApp(options: { env?: Record<string, string> } & DepsOverrides = {}): Promise<TestApp> {
  const dir = tempDir();
  const { env, ...overrides } = options;
  let deps: Deps;
  try {
    deps = await createDeps(testConfig(dir.path, env), { fastCrypto: true, ...overrides });
  } catch (err) {
    dir[Symbol.dispose](); // a test expecting the start to fail owns no handle to clean up with
    throw err;
  }
  const handle = createHandler(deps, createApp(deps));
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
    deps,
    request,
    async json(method, path, opts) {
      const response = await request(method, path, opts);
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
    },
    async [Symbol.asyncDispose]() {
      for (const m of [deps.proxy, deps.registry, deps.user]) await m.stop?.();
      deps.close();
      dir[Symbol.dispose]();
    },
  };
}
