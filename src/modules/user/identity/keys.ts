/** @module The signing key pair: generated on first boot and stored, so tokens survive restarts (contract §3). */
import { asc } from "drizzle-orm";
import type { Database } from "../../../db/database";
import type { Clock } from "../../../lib/clock";
import { newId } from "../../../lib/ids";
import { generatePemKeyPair, type PemKeyPair } from "./tokens";

/**
 * The stored key pair, or a new one stored now. The first stored row wins (no rotation yet): nodes
 * that start at once on an empty database may each store one, and all of them then read the same
 * first row (ordered by time, then id, so ties resolve alike everywhere).
 */
export async function loadOrCreateKeyPair({ db, tables }: Database, clock: Clock): Promise<PemKeyPair> {
  const k = tables.userKeyPairs;
  const first = async () => (await db.select().from(k).orderBy(asc(k.createdAt), asc(k.id)).limit(1))[0];
  const stored = await first();
  if (stored) return stored;
  const pair = await generatePemKeyPair(2048);
  await db.insert(k).values({ id: newId("keyp"), ...pair, createdAt: clock.now() });
  return (await first())!;
}
