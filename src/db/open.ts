/**
 * @module Opens the database the configuration names: the SQLite file in OB_FOLDER, or PostgreSQL at
 * OB_DB_CONNECTION_STRING. A node may start before its PostgreSQL does (a cluster booting, a
 * container restarting), so it retries with backoff, logging each attempt, for OB_DB_CONNECT_TIMEOUT;
 * a refused login or an unknown database cannot heal by waiting and stops the start at once.
 */
import { join } from "node:path";
import type { Config } from "../config";
import type { Logger } from "../lib/log";
import { openSqlite, type OpenedDatabase } from "./client";
import { errorCodes } from "./database";
import { DatabaseStartError } from "./errors";
import { openPostgres } from "./postgres";

/** SQLSTATEs no retry can fix: bad password / no such role, unknown database. */
const FATAL: Record<string, string> = {
  "28P01": "PostgreSQL refused the credentials",
  "28000": "PostgreSQL refused the login",
  "3D000": "the database does not exist",
};
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5000;

/** Opens (and for PostgreSQL, waits for) the configured database; throws {@link DatabaseStartError}. */
export async function openConfiguredDatabase(config: Config, log: Logger, sleep: (ms: number) => Promise<unknown> = Bun.sleep): Promise<OpenedDatabase> {
  if (config.dbKind === "sqlite") return openSqlite(join(config.folder, "1backend.db"), config.dbPrefix);
  const where = describeServer(config.dbConnectionString!);
  const opened = openPostgres({ url: config.dbConnectionString!, prefix: config.dbPrefix, connectTimeoutMs: Math.min(config.dbConnectTimeoutMs, 10_000) });
  const started = performance.now();
  for (let attempt = 1, delay = FIRST_DELAY_MS; ; attempt++, delay = Math.min(2 * delay, MAX_DELAY_MS)) {
    try {
      // The last attempt still gets a second to answer, however little of the timeout is left.
      await opened.ping(Math.max(config.dbConnectTimeoutMs - (performance.now() - started), 1000));
      if (attempt > 1) log.info("database reachable", { server: where, attempt });
      return opened;
    } catch (err) {
      const state = errorCodes(err, "errno").find((code) => code in FATAL);
      const reason = (err as Error).message;
      const left = config.dbConnectTimeoutMs - (performance.now() - started);
      if (state || left <= 0) {
        await opened.close().catch(() => undefined);
        if (state) throw new DatabaseStartError(`invalid OB_DB_CONNECTION_STRING: ${FATAL[state]} (${where}: ${reason})`);
        throw new DatabaseStartError(`OB_DB_CONNECTION_STRING: PostgreSQL at ${where} did not accept a connection within OB_DB_CONNECT_TIMEOUT (${config.dbConnectTimeoutMs / 1000}s, ${attempt} attempts): ${reason}`);
      }
      const wait = Math.min(delay, left);
      log.warn("database not reachable yet, retrying", { server: where, attempt, retryInMs: Math.round(wait), error: errorCodes(err)[0] ?? reason });
      await sleep(wait);
    }
  }
}

/** host:port/database of a connection URL, never its password. */
function describeServer(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}
