/** Passwords: argon2id, bcrypt hashes from 1Backend still verify, and unknown users cost a real verify. */
import { expect, spyOn, test } from "bun:test";
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

test("an unknown user (no hash) costs what a wrong password costs: one verification against a dummy hash of the same algorithm and cost", async () => {
  const hasher = await createPasswordHasher(false);
  const hash = await hasher.hash("real-password");
  // What each call verifies against, observed at Bun.password.verify (the cost is the hash's parameters, not a
  // wall-clock time that other work on a shared machine would blur).
  const verify = spyOn(Bun.password, "verify");
  try {
    expect(await hasher.verify("wrong-password", hash)).toBe(false);
    expect(await hasher.verify("wrong-password", null)).toBe(false);
    expect(verify).toHaveBeenCalledTimes(2);
    const [wrongHash, unknownHash] = verify.mock.calls.map((call) => String(call[1]));
    const parameters = (encoded: string) => encoded.split("$").slice(1, 3).join("$"); // e.g. argon2id$v=19$m=19456,t=2,p=1
    expect(unknownHash).not.toBe(wrongHash);
    expect(parameters(unknownHash!)).toBe(parameters(wrongHash!));
    expect(unknownHash!.split("$")[3]).toBe(wrongHash!.split("$")[3]);
  } finally {
    verify.mockRestore();
  }
});
