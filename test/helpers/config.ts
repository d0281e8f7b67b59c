/**
 * @module Test configuration: defaults of the real schema, a temp folder, port 0, quiet logs, and the
 * run's database (test/helpers/dialect.ts: the folder's file on SQLite, its own tables on PostgreSQL).
 */
import { loadConfig, type Config } from "../../src/config";
import { databaseEnv } from "./dialect";

/** A valid config for tests; `env` holds OB_* overrides, `folder` the state folder. */
export function testConfig(folder: string, env: Record<string, string> = {}): Config {
  return loadConfig({ OB_SELF_URL: "http://127.0.0.1:0", OB_LOG_LEVEL: "silent", OB_FOLDER: folder, ...databaseEnv(folder), ...env });
}
