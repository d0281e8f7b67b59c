/** @module The database's one error code (contract §7): PostgreSQL unreachable, or too slow to answer, is 503 `db.unavailable`, never a 500 or a hang. */
import { AppError } from "../http/errors";

export const DbCodes = { unavailable: "db.unavailable" } as const;

/** The database did not answer in time or the connection failed; the request may be retried. */
export const dbUnavailable = () =>
  new AppError(503, DbCodes.unavailable, "the database is unavailable, retry in a moment", { "retry-after": "1" });

/** The database could not be opened at start; the message names the variable to look at (main.ts exits with it). */
export class DatabaseStartError extends Error {
  override name = "DatabaseStartError";
}
