/** @module Opens the one SQLite file through bun:sqlite with WAL and a busy timeout, wrapped by drizzle. */
import { Database } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import * as schema from "./schema";

export type Db = BunSQLiteDatabase<typeof schema>;

export interface OpenedDatabase {
  /** drizzle over the connection, for queries off the hot path. */
  db: Db;
  /** The raw connection, for prepared statements on hot paths and transactions. */
  sqlite: Database;
  close(): void;
}

/** Opens (creating if needed) the database file at `file`. */
export function openDatabase(file: string): OpenedDatabase {
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file, { create: true, strict: true });
  // WAL lets readers run beside the writer; busy_timeout waits instead of failing on a held lock;
  // synchronous=NORMAL is durable across process crashes in WAL mode and much faster than FULL.
  sqlite.run("PRAGMA journal_mode = WAL");
  sqlite.run("PRAGMA busy_timeout = 5000");
  sqlite.run("PRAGMA synchronous = NORMAL");
  sqlite.run("PRAGMA foreign_keys = ON");
  const db = drizzle(sqlite, { schema });
  return { db, sqlite, close: () => sqlite.close(false) };
}
