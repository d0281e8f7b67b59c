import { expect, test } from "bun:test";
import { clientAddress } from "../../src/http/client-address";
import { createTrustCheck } from "../../src/http/trust";

const trust = createTrustCheck(["127.0.0.1", "10.0.0.0/8"]);
const xff = (value?: string) => new Headers(value === undefined ? {} : { "x-forwarded-for": value });

test.each([
  ["an untrusted peer is the client, whatever it forwards", "203.0.113.9", "1.2.3.4", "203.0.113.9"],
  ["a trusted peer without the header is the client", "127.0.0.1", undefined, "127.0.0.1"],
  ["a trusted peer names the client", "127.0.0.1", "198.51.100.7", "198.51.100.7"],
  ["trusted hops are skipped right to left", "127.0.0.1", "1.2.3.4, 198.51.100.7, 10.1.2.3", "198.51.100.7"],
  ["an IPv4-mapped peer is read as IPv4", "::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7"],
  ["an empty hop stops the walk at the last good one", "127.0.0.1", ", 10.0.0.1", "10.0.0.1"],
] as const)("%s", (_, peer, header, expected) => {
  expect(clientAddress(xff(header), peer, trust)).toBe(expected);
});

test("no socket (in-process) gives no address", () => {
  expect(clientAddress(xff("1.2.3.4"), undefined, trust)).toBeUndefined();
});
