/**
 * @module A temporary folder removed on dispose: `await using dir = tempDir()`. On PostgreSQL the
 * tables of the servers that ran on it (or on a folder inside it) are dropped too (dialect.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropDatabaseState } from "./dialect";

export interface TempDir {
  path: string;
  [Symbol.asyncDispose](): Promise<void>;
  [Symbol.dispose](): void;
}

export function tempDir(prefix = "1backend-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(path, { recursive: true, force: true });
  return {
    path,
    // A synchronous dispose cannot wait for the drop; the run-wide server goes with the run anyway.
    [Symbol.dispose]: () => {
      void dropDatabaseState(path).catch(() => {});
      remove();
    },
    [Symbol.asyncDispose]: async () => {
      await dropDatabaseState(path);
      remove();
    },
  };
}
