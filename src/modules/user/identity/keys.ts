/** @module The signing key pair: generated on first boot and stored, so tokens survive restarts (contract §3). */
import { asc } from "drizzle-orm";
import type { Database } from "../../../db/database";
import type { Clock } from "../../../lib/clock";
import { generatePemKeyPair, type PemKeyPair } from "./tokens";

/**
 * The id of the pair a first boot stores. One fixed primary key makes the creation insert-or-ignore,
 * like the rest of the bootstrap: nodes starting at once on an empty database each generate a pair,
 * exactly one row is stored, and every node signs with it (issue 12, "one key pair").
 */
export const FIRST_KEY_PAIR_ID = "keyp_first";

/**
 * The stored key pair, or one stored now. The first stored row wins (no rotation yet; ordered by time,
 * then id, so a database whose earlier boots raced into several rows resolves alike on every node).
 */
export async function loadOrCreateKeyPair({ db, tables }: Database, clock: Clock): Promise<PemKeyPair> {
  const k = tables.userKeyPairs;
  const first = async () => (await db.select().from(k).orderBy(asc(k.createdAt), asc(k.id)).limit(1))[0];
  const stored = await first();
  if (stored) return stored;
  const pair = await generatePemKeyPair(2048);
  // A concurrent first boot's row, if it landed first, is kept and read back instead of this one.
  await db.insert(k).values({ id: FIRST_KEY_PAIR_ID, ...pair, createdAt: clock.now() }).onConflictDoNothing();
  return (await first())!;
}
