/**
 * @module Bun macro: runs at build (and source-load) time and inlines the drizzle-kit migrations from
 * `src/db/migrations/` into the code, so the compiled binary carries them with no files beside it.
 */
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";

/** One migration as drizzle's migrator expects it. */
export interface EmbeddedMigration {
  sql: string[];
  bps: boolean;
  folderMillis: number;
  hash: string;
}

export function embeddedMigrations(): EmbeddedMigration[] {
  const folder = join(import.meta.dir, "migrations");
  const journal = JSON.parse(readFileSync(join(folder, "meta/_journal.json"), "utf8")) as {
    entries: { tag: string; when: number; breakpoints: boolean }[];
  };
  return journal.entries.map((entry) => {
    const text = readFileSync(join(folder, `${entry.tag}.sql`), "utf8");
    return {
      sql: text.split("--> statement-breakpoint"),
      bps: entry.breakpoints,
      folderMillis: entry.when,
      hash: createHash("sha256").update(text).digest("hex"),
    };
  });
}
