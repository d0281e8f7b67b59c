/**
 * `database.rowWrite` on the run's dialect: a statement written once for a list of rows writes every
 * row of every chunk inside the batch, is reused across batches with other values (nulls included),
 * writes nothing for no rows, and a failing row rolls the whole batch back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asc, inArray, sql } from "drizzle-orm";
import { openConfiguredDatabase } from "../../src/db/open";
import type { OpenedDatabase } from "../../src/db/client";
import type { Database, RowWrite } from "../../src/db/database";
import { silentLogger } from "../../src/lib/log";
import { testConfig } from "../helpers/config";
import { tempDir } from "../helpers/temp-dir";

type Row = { id: string; slug: string; ip: string | null; port: number };
type Health = { id: string; status: string };

const dir = tempDir();
let opened: OpenedDatabase;
let database: Database;
let insert: RowWrite<Row>;
let setStatus: RowWrite<Health>;

const row = (i: number, ip: string | null = null): Row => ({ id: `inst_${i}`, slug: `svc-${i}`, ip, port: 1000 + i });
const full = (r: Row) => ({ ...r, url: `http://x:${r.port}`, scheme: "http", host: "x", path: "", status: "Unknown", lastHeartbeat: null, createdAt: r.port });

beforeAll(async () => {
  opened = await openConfiguredDatabase(testConfig(dir.path), silentLogger);
  await opened.migrate();
  database = opened.database;
  const t = database.tables.registryInstances;
  insert = database.rowWrite(2, (db, rows) =>
    db
      .insert(t)
      .values(rows.map(full))
      .onConflictDoUpdate({ target: t.id, set: { slug: sql`excluded.slug`, ip: sql`excluded.ip`, port: sql`excluded.port` } }),
  );
  setStatus = database.rowWrite(2, (db, rows) => {
    const status = sql`cast(case ${t.id}`;
    for (const r of rows) status.append(sql` when ${r.id} then ${r.status}`);
    return db
      .update(t)
      .set({ status: status.append(sql` end as text)`) })
      .where(inArray(t.id, rows.map((r) => r.id)));
  });
});

afterAll(async () => {
  await opened.close();
  await dir[Symbol.asyncDispose]();
});

async function stored() {
  const t = database.tables.registryInstances;
  return await database.db.select({ id: t.id, slug: t.slug, ip: t.ip, port: t.port, status: t.status }).from(t).orderBy(asc(t.port));
}

describe("rowWrite", () => {
  test("writes every row of every chunk in one batch, and again with other values", async () => {
    const rows = [1, 2, 3, 4, 5].map((i) => row(i, i % 2 ? `10.0.0.${i}` : null));
    expect(insert.queries(database.db, rows)).toHaveLength(3);
    await database.batch((db) => [...insert.queries(db, rows), ...setStatus.queries(db, [{ id: "inst_2", status: "Healthy" }, { id: "inst_5", status: "Unreachable" }])]);
    expect(await stored()).toEqual(rows.map((r) => ({ ...r, status: r.id === "inst_2" ? "Healthy" : r.id === "inst_5" ? "Unreachable" : "Unknown" })));

    const again = [row(1, null), row(3, "10.9.9.9"), row(6)];
    await database.batch((db) => insert.queries(db, again));
    expect((await stored()).map((r) => [r.id, r.ip])).toEqual([
      ["inst_1", null],
      ["inst_2", null],
      ["inst_3", "10.9.9.9"],
      ["inst_4", null],
      ["inst_5", "10.0.0.5"],
      ["inst_6", null],
    ]);
  });

  test("no rows: no queries", () => {
    expect(insert.queries(database.db, [])).toEqual([]);
  });

  test("a failing row rolls back every row of the batch", async () => {
    const before = await stored();
    const t = database.tables.registryInstances;
    // A plain insert (no upsert) of a stored id fails on its third row, after two new ones.
    const plain = database.rowWrite(2, (db, rows: Row[]) => db.insert(t).values(rows.map(full)));
    const failed = await database.batch((db) => plain.queries(db, [row(7), row(8), row(1)])).catch((err: unknown) => err);
    expect(database.isUniqueViolation(failed)).toBe(true);
    expect(await stored()).toEqual(before);
  });
});
