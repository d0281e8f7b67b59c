/** @module The signing key pair: generated on first boot and stored, so tokens survive restarts (contract §3). */
import { asc } from "drizzle-orm";
import type { Db } from "../../../db/client";
import type { Clock } from "../../../lib/clock";
import { newId } from "../../../lib/ids";
import { userKeyPairs } from "./tables";
import { generatePemKeyPair, type PemKeyPair } from "./tokens";

/** The stored key pair, or a new one stored now. The first stored row wins (no rotation yet). */
export async function loadOrCreateKeyPair(db: Db, clock: Clock): Promise<PemKeyPair> {
  const first = () => db.select().from(userKeyPairs).orderBy(asc(userKeyPairs.createdAt)).limit(1).get();
  const stored = first();
  if (stored) return stored;
  const pair = await generatePemKeyPair(2048);
  db.insert(userKeyPairs).values({ id: newId("keyp"), ...pair, createdAt: clock.now() }).run();
  return first()!;
}
