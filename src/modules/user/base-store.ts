/** @module What every User Svc store is built from (the module's database handle and clock), and the base that keeps the handle. */
import type { Database, Db, Tables } from "../../db/database";
import type { BaseDeps } from "../module";

/** One options object for every store, so the composition root builds each from the same deps. */
export type StoreDeps = Pick<BaseDeps, "database" | "clock">;

/**
 * A store: awaited drizzle queries over `t` (the tables as the handle names them, never imported as
 * values), several writes at once through `database.batch`.
 */
export abstract class BaseStore {
  protected readonly database: Database;
  protected readonly db: Db;
  protected readonly t: Tables;

  constructor({ database }: StoreDeps) {
    this.database = database;
    this.db = database.db;
    this.t = database.tables;
  }
}
