/** @module Bun macro: how many migrations the build embeds per dialect (each drizzle journal's entries), for readiness. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const count = (dialect: string) =>
  (JSON.parse(readFileSync(join(import.meta.dir, "../../db/migrations", dialect, "meta/_journal.json"), "utf8")) as { entries: unknown[] }).entries.length;

/** Migrations embedded for each dialect; readiness compares `[database.kind]` with `database.appliedMigrations()`. */
export function embeddedMigrationCounts(): { sqlite: number; postgres: number } {
  return { sqlite: count("sqlite"), postgres: count("postgres") };
}

