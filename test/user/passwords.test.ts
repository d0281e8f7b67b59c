/** Passwords: argon2id, bcrypt hashes from 1Backend still verify, and unknown users cost a real verify. */
import { expect, test } from "bun:test";
import { createPasswordHasher } from "../../src/modules/user/identity/passwords";

test("argon2id hashes verify; wrong passwords and bcrypt hashes behave", async () => {
  const hasher = await createPasswordHasher(true);
  const hash = await hasher.hash("correct horse");
  expect(hash).toStartWith("$argon2id$");
  expect(await hasher.verify("correct horse", hash)).toBe(true);
  expect(await hasher.verify("wrong horse", hash)).toBe(false);
  const bcrypt = await Bun.password.hash("from-go", { algorithm: "bcrypt", cost: 4 });
  expect(await hasher.verify("from-go", bcrypt)).toBe(true);
  expect(await hasher.verify("x", "not a hash")).toBe(false);
});

test("an unknown user (no hash) takes about as long as a wrong password: a dummy hash is verified", async () => {
  const hasher = await createPasswordHasher(false);
  const hash = await hasher.hash("real-password");
  const median = async (fn: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[2]!;
  };
  const wrong = await median(() => hasher.verify("wrong-password", hash));
  const unknown = await median(() => hasher.verify("wrong-password", null));
  expect(await hasher.verify("anything", null)).toBe(false);
  // One-sided and generous (the machine is shared): without the dummy hash `unknown` would be ~0 ms.
  expect(unknown).toBeGreaterThan(wrong * 0.25);
});
