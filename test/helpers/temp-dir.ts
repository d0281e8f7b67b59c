/** @module A temporary folder removed on dispose: `await using dir = tempDir()`. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TempDir {
  path: string;
  [Symbol.asyncDispose](): Promise<void>;
  [Symbol.dispose](): void;
}

export function tempDir(prefix = "1backend-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(path, { recursive: true, force: true });
  return { path, [Symbol.dispose]: remove, [Symbol.asyncDispose]: async () => remove() };
}
