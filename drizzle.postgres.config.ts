import { defineConfig } from "drizzle-kit";

// `bun run db:generate` writes a new migration into src/db/migrations/postgres after a tables.ts change
// (the tables are built with no prefix here; OB_DB_PREFIX is applied when a migration runs).
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.postgres.ts",
  out: "./src/db/migrations/postgres",
});
