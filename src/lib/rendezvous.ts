/**
 * @module Rendezvous (highest-random-weight) hashing: each key belongs to the member whose weight
 * for that key is highest, the weight a hash of the pair. Every holder of the same member list
 * agrees on the owners without talking, members share the keys evenly, and a member joining or
 * leaving moves only the keys it takes or held (~1/N), none between the others (Thaler & Ravishankar,
 * "Using name-based mappings to increase hit rates", 1998).
 *
 * The hashes are plain 32-bit arithmetic (FNV-1a, then MurmurHash3's finalizer for avalanche), not
 * `Bun.hash`: nodes of a cluster must agree on every owner, so the function must not depend on the
 * runtime's version. A weight costs a few multiplications; a key's hash is computed once per lookup.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the string's UTF-16 code units, then mixed: a well-spread 32-bit hash. */
export function hash32(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return mix32(h);
}

/** MurmurHash3's 32-bit finalizer: every input bit flips about half the output bits. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A fixed member list and the owner of any key among them. */
export class Rendezvous {
  /** The members, sorted (the list's order given does not matter). */
  readonly members: readonly string[];
  private readonly seeds: Uint32Array;

  /** Fails fast on an empty list: every key needs an owner. */
  constructor(members: Iterable<string>) {
    this.members = [...new Set(members)].sort();
    if (this.members.length === 0) throw new Error("rendezvous: at least one member is needed");
    this.seeds = Uint32Array.from(this.members, hash32);
  }

  /** The member owning `key`: the highest weight; a tie (two 32-bit weights equal) goes to the first in sorted order. */
  ownerOf(key: string): string {
    return this.members[this.indexOf(key)]!;
  }

  /** Index in {@link members} of the owner of `key` (saves the string compare on a hot loop). */
  indexOf(key: string): number {
    const k = hash32(key);
    let best = 0;
    let bestWeight = -1;
    for (let i = 0; i < this.seeds.length; i++) {
      const weight = mix32(k ^ this.seeds[i]!);
      if (weight > bestWeight) {
        best = i;
        bestWeight = weight;
      }
    }
    return best;
  }
}
