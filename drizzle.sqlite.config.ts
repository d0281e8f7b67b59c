import { defineConfig } from "drizzle-kit";

// `bun run db:generate` writes a new migration into src/db/migrations/sqlite after a tables.ts change
// (the tables are built with no prefix here; OB_DB_PREFIX is applied when a migration runs).
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.sqlite.ts",
  out: "./src/db/migrations/sqlite",
});
