/** @module The console's error catalogue: the one `console.*` code it answers. */
import { notFound } from "../../http/errors";

/** No built console file has this name (assets are content-hashed: an old name is gone, not stale). */
export const assetNotFound = (name: string) => notFound("console.asset_not_found", `console asset ${name} not found`);
