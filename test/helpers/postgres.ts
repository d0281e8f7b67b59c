/**
 * @module PostgreSQL for the tests, through scripts/postgres.sh (the one place that knows how to run
 * Debian's server as a non-root user): `sharedPostgresUrl()` is the server the test script started for
 * its PostgreSQL pass (TEST_POSTGRES_URL, unset on the SQLite pass); `await using pg = await startPostgres()`
 * is a private server for a test that stops, starts or freezes it (`down()`/`up()`/`freeze()`), removed on dispose — and by
 * the script's watchdog if this process dies first.
 */
import { join } from "node:path";

const SCRIPT = join(import.meta.dir, "..", "..", "scripts", "postgres.sh");

export interface PostgresServer {
  /** postgres://ob:<password>@127.0.0.1:<port>/ob */
  url: string;
  /** The server's folder (data, socket, server.log). */
  dir: string;
  /** Stops the server as a crash would (clients cut off, no shutdown checkpoint); data and port are kept. */
  down(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  up(): Promise<void>;
  /** SIGSTOPs the server: connections stay open and nothing answers, as in a network partition. */
  freeze(): Promise<void>;
  /** SIGCONTs it. */
  thaw(): Promise<void>;
  /** Stops it and removes its folder. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The run-wide server's URL when the test script started one, else undefined (skip PostgreSQL-only tests). */
export function sharedPostgresUrl(): string | undefined {
  return process.env.TEST_POSTGRES_URL || undefined;
}

async function script(...args: string[]): Promise<string> {
  const proc = Bun.spawn(["bash", SCRIPT, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`scripts/postgres.sh ${args.join(" ")} exited with ${code}:\n${err}`);
  return out;
}

/** `export NAME='value'` lines → { NAME: value }. */
function parseExports(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of text.matchAll(/^export (\w+)='([^']*)'$/gm)) vars[m[1]!] = m[2]!;
  return vars;
}

/** The URL and folder `scripts/postgres.sh start` printed, or an error naming what is missing. */
function started(printed: string): { url: string; dir: string } {
  const vars = parseExports(printed);
  const url = vars.TEST_POSTGRES_URL;
  const dir = vars.TEST_POSTGRES_DIR;
  if (!url || !dir) throw new Error("scripts/postgres.sh start printed no TEST_POSTGRES_URL/TEST_POSTGRES_DIR");
  return { url, dir };
}

/** Starts a private server (about a second on an idle machine; initdb runs once per machine). */
export async function startPostgres(): Promise<PostgresServer> {
  const { url, dir } = started(await script("start", "--watch", String(process.pid)));
  return {
    url,
    dir,
    down: async () => void (await script("down", dir)),
    up: async () => void (await script("up", dir)),
    freeze: async () => void (await script("freeze", dir)),
    thaw: async () => void (await script("thaw", dir)),
    [Symbol.asyncDispose]: async () => void (await script("stop", dir)),
  };
}

/**
 * Starts a server for the rest of this process and returns its URL, blocking (for a module's first
 * use, when no run-wide server was given); the script's watchdog removes it once this process is gone.
 */
export function startPostgresSync(): string {
  const proc = Bun.spawnSync(["bash", SCRIPT, "start", "--watch", String(process.pid)], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`scripts/postgres.sh start exited with ${proc.exitCode}:\n${proc.stderr.toString()}`);
  return started(proc.stdout.toString()).url;
}

/**
 * A database of its own on the server at `url` (CREATE DATABASE, dropped on dispose), for test files
 * that share the run-wide server; `OB_DB_PREFIX` is the lighter alternative inside one database.
 */
export async function freshDatabase(url: string): Promise<{ url: string; [Symbol.asyncDispose](): Promise<void> }> {
  const name = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = new Bun.SQL(url, { max: 1 });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.close();
  }
  const own = new URL(url);
  own.pathname = `/${name}`;
  return {
    url: own.toString(),
    [Symbol.asyncDispose]: async () => {
      const sql = new Bun.SQL(url, { max: 1 });
      try {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await sql.close();
      }
    },
  };
}
