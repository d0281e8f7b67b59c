/** @module What every User Svc store is built from (the module's database handles and clock), and the base that keeps the handle. */
import type { Db } from "../../db/client";
import type { BaseDeps } from "../module";

/** One options object for every store, so the composition root builds each from the same deps. */
export type StoreDeps = Pick<BaseDeps, "db" | "sqlite" | "clock">;

/** A store: queries over the drizzle handle it was built with. */
export abstract class BaseStore {
  protected readonly db: Db;

  constructor({ db }: StoreDeps) {
    this.db = db;
  }
}
