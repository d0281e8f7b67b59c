/**
 * @module The signing key pair: generated on first boot and stored, so tokens survive restarts (contract §3).
 * With OB_ENCRYPTION_KEY set, the private key is stored sealed (lib/secret-box.ts, AES-256-GCM, the row id
 * as associated data): whoever reads the database or a backup of it cannot mint tokens for any account.
 * A pair stored in plain text before the key was set is sealed in place at the next start. A sealed pair
 * with no key, or under another key, stops the start naming OB_ENCRYPTION_KEY: tokens could not be signed.
 */
import { and, asc, eq } from "drizzle-orm";
import { ConfigError } from "../../../config";
import type { Database } from "../../../db/database";
import type { Clock } from "../../../lib/clock";
import { isSealed, SecretBoxError, type SecretBox } from "../../../lib/secret-box";
import { generatePemKeyPair, type PemKeyPair } from "./tokens";

/**
 * The id of the pair a first boot stores. One fixed primary key makes the creation insert-or-ignore,
 * like the rest of the bootstrap: nodes starting at once on an empty database each generate a pair,
 * exactly one row is stored, and every node signs with it (issue 12, "one key pair").
 */
export const FIRST_KEY_PAIR_ID = "keyp_first";

/**
 * The stored key pair (its private key in plain text, in memory only), or one stored now. The first
 * stored row wins (no rotation yet; ordered by time, then id, so a database whose earlier boots raced
 * into several rows resolves alike on every node). `box`: OB_ENCRYPTION_KEY's, when set.
 */
export async function loadOrCreateKeyPair(database: Database, clock: Clock, box?: SecretBox): Promise<PemKeyPair> {
  const { db, tables } = database;
  const k = tables.userKeyPairs;
  const first = async () => (await db.select().from(k).orderBy(asc(k.createdAt), asc(k.id)).limit(1))[0];
  let stored = await first();
  if (!stored) {
    const pair = await generatePemKeyPair(2048);
    const privateKey = box ? box.seal(pair.privateKey, FIRST_KEY_PAIR_ID) : pair.privateKey;
    // A concurrent first boot's row, if it landed first, is kept and read back instead of this one.
    await db.insert(k).values({ id: FIRST_KEY_PAIR_ID, publicKey: pair.publicKey, privateKey, createdAt: clock.now() }).onConflictDoNothing();
    stored = (await first())!;
  }
  if (isSealed(stored.privateKey)) return { publicKey: stored.publicKey, privateKey: openPrivateKey(stored.privateKey, stored.id, box) };
  if (box) {
    // Conditional on the plain text, so nodes starting at once seal it once (the others' updates match no row).
    await db.update(k).set({ privateKey: box.seal(stored.privateKey, stored.id) }).where(and(eq(k.id, stored.id), eq(k.privateKey, stored.privateKey)));
  }
  return { publicKey: stored.publicKey, privateKey: stored.privateKey };
}

function openPrivateKey(sealed: string, id: string, box: SecretBox | undefined): string {
  if (!box) throw new ConfigError("missing OB_ENCRYPTION_KEY: the stored token signing key is encrypted at rest; start with the key it was sealed with");
  try {
    return box.open(sealed, id);
  } catch (err) {
    if (err instanceof SecretBoxError) throw new ConfigError("OB_ENCRYPTION_KEY does not open the stored token signing key (it was sealed under another key); start with the key it was sealed with");
    throw err;
  }
}
