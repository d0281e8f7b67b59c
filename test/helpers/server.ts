/** @module A real server on a free port in a temp folder: `await using s = await testServer()`. */
import { startServer, type RunningServer } from "../../src/serve";
import type { DepsOverrides } from "../../src/deps";
import { testConfig } from "./config";
import { tempDir } from "./temp-dir";

export interface TestServer extends RunningServer {
  folder: string;
}

/** Starts the server; pass `folder` to reuse state (restart tests), else a fresh temp folder is removed on dispose. */
export async function testServer(options: { env?: Record<string, string>; folder?: string } & DepsOverrides = {}): Promise<TestServer> {
  const { env, folder, ...overrides } = options;
  const dir = folder ? undefined : tempDir();
  let server: RunningServer;
  try {
    server = await startServer(testConfig(folder ?? dir!.path, env), { fastCrypto: true, ...overrides });
  } catch (err) {
    await dir?.[Symbol.asyncDispose](); // a test expecting the start to fail owns no handle to clean up with
    throw err;
  }
  return {
    ...server,
    folder: folder ?? dir!.path,
    async [Symbol.asyncDispose]() {
      await server.stop(1000);
      await dir?.[Symbol.asyncDispose]();
    },
  };
}
