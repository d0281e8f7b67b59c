/** @module Bun macro: how many migrations the build embeds (the drizzle journal's entries), for readiness. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export function embeddedMigrationCount(): number {
  const journal = JSON.parse(readFileSync(join(import.meta.dir, "../../db/migrations/meta/_journal.json"), "utf8")) as { entries: unknown[] };
  return journal.entries.length;
}
