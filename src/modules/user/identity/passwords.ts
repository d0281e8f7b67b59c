/**
 * @module Password hashing: argon2id via Bun.password (contract §3). Bcrypt hashes (imported from
 * 1Backend) also verify. Unknown slugs are checked against a dummy hash so a wrong password and an
 * unknown user take similar time (no user enumeration by timing).
 */

/** Minimum length of new passwords (the bootstrap admin's configured password is exempt). */
export const MIN_PASSWORD_LENGTH = 8;

/** Hashes new passwords and verifies given ones (constant-ish time for unknown users, see `verify`). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies against `hash`, or against a dummy hash when `hash` is null (always false then). */
  verify(password: string, hash: string | null): Promise<boolean>;
}

/**
 * OWASP's argon2id baseline (m=19 MiB, t=2, p=1) in production; a cheap cost when `fast` (tests only),
 * because the default costs ~150 ms per hash on this class of machine.
 */
export async function createPasswordHasher(fast: boolean): Promise<PasswordHasher> {
  const options: Bun.Password.Argon2Algorithm = fast
    ? { algorithm: "argon2id", memoryCost: 1024, timeCost: 1 }
    : { algorithm: "argon2id", memoryCost: 19456, timeCost: 2 };
  // Hashed on Bun's worker pool while the server starts, not before it: only unknown-slug logins wait on it.
  const dummy = Bun.password.hash(crypto.randomUUID(), options);
  return {
    hash: (password) => Bun.password.hash(password, options),
    async verify(password, hash) {
      if (hash === null) {
        await Bun.password.verify(password, await dummy);
        return false;
      }
      try {
        return await Bun.password.verify(password, hash);
      } catch {
        return false;
      }
    },
  };
}
