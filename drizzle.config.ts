import { defineConfig } from "drizzle-kit";

// `bun run db:generate` writes a new migration into src/db/migrations after a tables.ts change.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./src/db/migrations",
});
