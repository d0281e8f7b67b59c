/**
 * @module The data folder must be writable before anything opens the database in it. In a container
 * the folder is often a bind mount owned by the host's user, not by the image's; SQLite would then
 * fail with "unable to open database file". This says instead which folder, who owns it, who we run
 * as, and the three ways out.
 */
import { accessSync, constants, mkdirSync, statSync } from "node:fs";

/** The data folder cannot be used; the message names it and what to do. */
export class DataFolderError extends Error {
  override name = "DataFolderError";
}

/** Creates `folder` when missing and checks this process may write in it; throws {@link DataFolderError}. */
export function ensureDataFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new DataFolderError(describe(folder, (err as NodeJS.ErrnoException).code ?? String(err)));
  }
}

function describe(folder: string, code: string): string {
  const uid = process.getuid?.();
  let owner: number | undefined;
  try {
    owner = statSync(folder).uid;
  } catch {
    // missing and not creatable: the parent is what is not writable
  }
  const who = uid === undefined ? "" : `, this process runs as uid ${uid}`;
  const owned = owner === undefined ? "" : ` (owned by uid ${owner}${who})`;
  const fixes = [
    uid !== undefined && owner !== undefined && owner !== uid ? `give it to uid ${uid} (chown ${uid} ${folder})` : `make it writable (chmod u+w ${folder})`,
    owner !== undefined && owner !== uid ? `run as its owner (docker run --user ${owner} …)` : undefined,
    "or set OB_FOLDER to a writable folder",
  ].filter(Boolean);
  return `cannot write to the data folder ${folder}${owned}: ${code}; ${fixes.join(", ")}`;
}
