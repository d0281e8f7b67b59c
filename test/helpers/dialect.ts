/**
 * @module Which database the suite runs on: `TEST_DB=sqlite` (default) or `TEST_DB=postgres`. On
 * PostgreSQL every state folder a test makes gets tables of its own in the one run-wide database
 * (TEST_POSTGRES_URL) through a random `OB_DB_PREFIX`: the same folder always gets the same prefix, so
 * a restart on the same folder finds its state as it finds `1backend.db` on SQLite. The tables are
 * dropped when the folder's owner disposes of it. Without TEST_POSTGRES_URL (a developer's
 * `TEST_DB=postgres bun test test/user`), a server is started for this process, removed when it exits.
 */
import { resolve, sep } from "node:path";
import { sharedPostgresUrl, startPostgresSync } from "./postgres";

export type TestDialect = "sqlite" | "postgres";

function chooseDialect(): TestDialect {
  const value = process.env.TEST_DB || "sqlite";
  if (value !== "sqlite" && value !== "postgres") throw new Error(`TEST_DB=${value}: expected sqlite or postgres`);
  return value;
}

/** The dialect of this run. */
export const testDialect: TestDialect = chooseDialect();

/** True on the PostgreSQL pass: `test.skipIf(onPostgres)` marks a test that is SQLite-only by nature. */
export const onPostgres = testDialect === "postgres";

let url: string | undefined;
/** The run-wide server's URL (started here on first use when the test script did not start one). */
function postgresUrl(): string {
  url ??= sharedPostgresUrl() ?? startPostgresSync();
  return url;
}

/** Prefix by state folder (resolved path), for the folders made in this process. */
const prefixes = new Map<string, string>();

/**
 * The OB_DB* variables a server on `folder` gets: none on SQLite (the file in the folder), else the
 * shared database and the folder's own table prefix. Spread before a test's own `env`.
 */
export function databaseEnv(folder: string): Record<string, string> {
  if (!onPostgres) return {};
  const path = resolve(folder);
  let prefix = prefixes.get(path);
  if (!prefix) {
    // 12 hex digits: thousands of apps a run never share a prefix; "t" + digits + "_" never prefixes another.
    prefix = `t${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}_`;
    prefixes.set(path, prefix);
  }
  return { OB_DB: "postgres", OB_DB_CONNECTION_STRING: postgresUrl(), OB_DB_PREFIX: prefix };
}

/** The prefix of `folder`'s tables (made on first use), for tests that copy or inspect them. */
export function tablePrefix(folder: string): string {
  return databaseEnv(folder).OB_DB_PREFIX ?? "";
}

let admin: InstanceType<typeof Bun.SQL> | undefined;
/** One connection for the harness's own statements; closed when idle so it never holds the process. */
function adminSql(): InstanceType<typeof Bun.SQL> {
  // Explicit options, not the URL alone: a PG* variable in the environment would override parts of it.
  const u = new URL(postgresUrl());
  admin ??= new Bun.SQL({
    hostname: u.hostname,
    port: Number(u.port || 5432),
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
    max: 1,
    idleTimeout: 2,
  });
  return admin;
}

interface TableName {
  schema: string;
  name: string;
}
const quoted = (t: TableName) => `"${t.schema}"."${t.name}"`;

/** Every table whose name starts with `prefix`, in any schema of ours (drizzle may keep its own). */
async function tablesOf(sql: Bun.SQL, prefix: string): Promise<TableName[]> {
  return (await sql`select schemaname as schema, tablename as name from pg_tables
    where starts_with(tablename, ${prefix}) and schemaname not in ('pg_catalog', 'information_schema')`) as TableName[];
}

/**
 * Runs `statements` as one simple query: one round trip and one implicit transaction (all or none),
 * not waiting for its WAL to reach the disk (measured: ~250 ms a copy statement by statement, mostly
 * round trips and the flush on this shared machine). A crash of the server loses only test state.
 */
async function runScript(statements: string[]): Promise<void> {
  if (statements.length > 0) await adminSql().unsafe(["set synchronous_commit = off", ...statements].join(";\n"));
}

/**
 * Drops the tables of every folder at or under `root` (PostgreSQL only; on SQLite the files go with
 * the folder). Called by the folder's owner before it removes the folder.
 */
export async function dropDatabaseState(root: string): Promise<void> {
  if (!onPostgres) return;
  const base = resolve(root);
  const owned = [...prefixes].filter(([path]) => path === base || path.startsWith(base + sep));
  if (owned.length === 0) return;
  const tables = (await Promise.all(owned.map(([, prefix]) => tablesOf(adminSql(), prefix)))).flat();
  if (tables.length > 0) await runScript([`drop table if exists ${tables.map(quoted).join(", ")} cascade`]);
  for (const [path] of owned) prefixes.delete(path);
}

/**
 * Copies every table of `from`'s prefix, rows, indexes and foreign keys, to `to`'s prefix, in one
 * transaction: PostgreSQL's counterpart of copying a prepared `1backend.db` into a fresh folder.
 */
export async function copyDatabaseState(from: string, to: string): Promise<void> {
  const source = tablePrefix(from);
  const target = tablePrefix(to);
  const renamed = (name: string) => target + name.slice(source.length);
  const sql = adminSql();
  const tables = await tablesOf(sql, source);
  const foreignKeys = (await sql`select c.conname, r.relname as table, n.nspname as schema, pg_get_constraintdef(c.oid) as def
    from pg_constraint c join pg_class r on r.oid = c.conrelid join pg_namespace n on n.oid = r.relnamespace
    where c.contype = 'f' and starts_with(r.relname, ${source})`) as { conname: string; table: string; schema: string; def: string }[];
  const statements: string[] = [];
  for (const t of tables) {
    const copy = quoted({ schema: t.schema, name: renamed(t.name) });
    // LIKE … INCLUDING ALL brings columns, defaults, checks, primary key, unique and other indexes;
    // foreign keys never come with LIKE, so they are re-made below pointing at the copies.
    statements.push(`create table ${copy} (like ${quoted(t)} including all)`, `insert into ${copy} select * from ${quoted(t)}`);
  }
  // An identity column's copy gets a sequence of its own starting at 1: moved past the copied rows.
  const identities = (await sql`select table_name as table, column_name as column from information_schema.columns
    where is_identity = 'YES' and starts_with(table_name, ${source})`) as { table: string; column: string }[];
  for (const c of identities) {
    const copy = `"${renamed(c.table)}"`;
    statements.push(`select setval(pg_get_serial_sequence('${copy}', '${c.column}'), coalesce((select max("${c.column}") from ${copy}), 0) + 1, false)`);
  }
  for (const fk of foreignKeys) {
    const def = fk.def.replace(/REFERENCES ((?:"?\w+"?\.)?)"?(\w+)"?\(/, (whole, schema: string, table: string) =>
      table.startsWith(source) ? `REFERENCES ${schema}"${renamed(table)}"(` : whole);
    const name = fk.conname.startsWith(source) ? renamed(fk.conname) : target + fk.conname;
    statements.push(`alter table ${quoted({ schema: fk.schema, name: renamed(fk.table) })} add constraint "${name}" ${def}`);
  }
  await runScript(statements);
}
