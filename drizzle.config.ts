import { defineConfig } from "drizzle-kit";

/** drizzle-kit reads the tables from drizzle/tables and writes SQL migrations to drizzle/migrations. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./drizzle/tables/*.ts",
  out: "./drizzle/migrations",
  casing: "snake_case",
  entities: { roles: true },
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
  strict: true,
  verbose: true,
});
