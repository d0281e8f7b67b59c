/** @module Column builders the User Svc tables share: times are Unix milliseconds; lists and maps are JSON text. */
import { integer, text } from "drizzle-orm/sqlite-core";

/** A required Unix-millisecond time. */
export const ms = (name: string) => integer(name).notNull();
/** A required JSON column with its default as JSON text (`"[]"`, `"{}"`). */
export const json = <T>(name: string, fallback: string) => text(name, { mode: "json" }).$type<T>().notNull().default(fallback as never);
