/**
 * @module Bun macro: runs at build (and source-load) time and inlines the drizzle-kit migrations of
 * both dialects from `src/db/migrations/{sqlite,postgres}/` into the code, so the compiled binary
 * carries them with no files beside it. The text is kept as drizzle-kit wrote it (no prefix); the hash
 * is of that text, the same whatever OB_DB_PREFIX a database is migrated with.
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

/** The migrations of `dialect` ("sqlite" | "postgres"), oldest first. */
export function embeddedMigrations(dialect: string): EmbeddedMigration[] {
  const folder = join(import.meta.dir, "migrations", dialect);
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
