/**
 * @module OB_DB_PREFIX applied to migration SQL. drizzle-kit writes migrations for unprefixed tables;
 * every name a migration creates (a table, an index, a constraint, a table renamed into place, an
 * identity column's `sequence name`) is collected from the migrations themselves and, wherever it
 * appears quoted, gets the prefix. Column names are never such a name (checked by
 * test/foundation/db-prefix.test.ts), and names no migration creates (a legacy table dropped with IF
 * EXISTS) stay as they are. PostgreSQL's `"public".` before a referenced table is dropped, so
 * foreign keys follow the tables into whatever schema the connection's search_path puts them in.
 * The prefix is validated `^[a-z0-9_]{0,32}$` (config.ts): it needs no quoting.
 */
import type { DialectKind } from "./database";

const QUOTE: Record<DialectKind, string> = { sqlite: "`", postgres: '"' };

/** The names `statements` create, without quotes. */
export function createdNames(statements: readonly string[], dialect: DialectKind): Set<string> {
  const q = QUOTE[dialect];
  const creating = new RegExp(`(?:CREATE\\s+TABLE|CREATE\\s+(?:UNIQUE\\s+)?INDEX|CONSTRAINT|RENAME\\s+TO|SEQUENCE\\s+NAME)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${q}([^${q}]+)${q}`, "gi");
  const names = new Set<string>();
  for (const statement of statements) for (const match of statement.matchAll(creating)) names.add(match[1]!);
  return names;
}

/** Any quoted name (and on PostgreSQL a `"public".` schema before it). */
const QUOTED: Record<DialectKind, RegExp> = { sqlite: /`([^`]+)`/g, postgres: /(?:"public"\.)?"([^"]+)"/g };

/** `statements` with every quoted occurrence of a name in `names` prefixed. */
export function prefixStatements(statements: readonly string[], names: ReadonlySet<string>, prefix: string, dialect: DialectKind): string[] {
  const q = QUOTE[dialect];
  return statements.map((statement) =>
    statement.replace(QUOTED[dialect], (whole, name: string) => (names.has(name) ? `${q}${prefix}${name}${q}` : whole)),
  );
}
