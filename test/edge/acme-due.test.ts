/**
 * What ACME orders for (acme-due.ts) and how challenges are answered (challenges.ts), without a CA:
 * orderable names, the renewal point at a third of the lifetime left, wildcard coverage, and the
 * stateless HTTP-01 answer (token + RFC 7638 thumbprint, as acme-client computes it); the ACME variables.
 */
import { describe, expect, test } from "bun:test";
import * as acme from "acme-client";
import { generateKeyPairSync } from "node:crypto";
import { LETS_ENCRYPT, loadConfig } from "../../src/config";
import { systemClock } from "../../src/lib/clock";
import { createLogger } from "../../src/lib/log";
import { AcmeManager } from "../../src/modules/edge/acme";
import { dueHosts, orderable, renewalDue } from "../../src/modules/edge/acme-due";
import { AcmeChallenges } from "../../src/modules/edge/challenges";
import { EdgeTable, type EdgeCertificate } from "../../src/modules/edge/model";

const DAY = 86_400_000;
const cert = (id: string, names: string[], notBefore: number, notAfter: number): EdgeCertificate => ({ id, names, certPem: "", keyPem: "", notBefore, notAfter });

describe("which hosts are due", () => {
  test("DNS names with a dot only: no IP literal, single label, wildcard or trailing dot", () => {
    const names = ["shop.example.com", "a.b", "127.0.0.1", "[::1]", "::1", "localhost", "*.example.com", "example.com."];
    expect(names.filter(orderable)).toEqual(["shop.example.com", "a.b"]);
  });

  test("renewal is due from the moment a third of the lifetime is left; a missing certificate is due", () => {
    const c = { notBefore: 0, notAfter: 90 * DAY };
    expect(renewalDue(c, 60 * DAY - 1)).toBe(false);
    expect(renewalDue(c, 60 * DAY)).toBe(true);
    expect(renewalDue(undefined, 0)).toBe(true);
  });

  test("every route and redirect host without a lasting certificate, once each, sorted; a wildcard covers one level", () => {
    const table = new EdgeTable();
    const route = (id: string, host: string, path = "") => ({ id, host, path, target: "http://127.0.0.1:9" });
    table.setRoutes([route("b.example.com", "b.example.com"), route("b.example.com/app", "b.example.com", "/app"), route("x.wild.com", "x.wild.com"), route("a.b.wild.com", "a.b.wild.com"), route("port.example.com:8443", "port.example.com:8443")]);
    table.setRedirects([{ id: "old.example.com", host: "old.example.com", path: "", target: "https://b.example.com/", statusCode: 308 }]);
    const now = 10 * DAY;
    table.setCerts([cert("*.wild.com", ["*.wild.com"], 0, 90 * DAY), cert("old.example.com", ["old.example.com"], 0, 12 * DAY), cert("old-2", ["old.example.com"], 0, 11 * DAY)]);
    // x.wild.com is covered by the wildcard; a.b.wild.com is two levels down; old.example.com's best
    // certificate (12 days) is past two thirds of its life.
    expect(dueHosts(table, now)).toEqual(["a.b.wild.com", "b.example.com", "old.example.com", "port.example.com"]);
    table.setCerts([cert("old.example.com", ["old.example.com"], now, now + 90 * DAY)]);
    expect(dueHosts(table, now)).toEqual(["a.b.wild.com", "b.example.com", "port.example.com", "x.wild.com"]);
  });
});

describe("HTTP-01 answers", () => {
  test("nothing before the account key is known; then token.thumbprint, as acme-client's key authorization", async () => {
    const challenges = new AcmeChallenges();
    const token = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
    expect(challenges.answer(token)).toBeUndefined();
    for (const key of [await acme.crypto.createPrivateEcdsaKey("P-256"), await acme.crypto.createPrivateRsaKey(2048)]) {
      challenges.useAccountKey(key.toString());
      const client = new acme.Client({ directoryUrl: "https://127.0.0.1:9/dir", accountKey: key });
      expect(challenges.answer(token)).toBe(await client.getChallengeKeyAuthorization({ type: "http-01", token, url: "https://127.0.0.1:9/c", status: "pending" }));
    }
  });

  test("only base64url tokens of at least 128 bits are answered", () => {
    const challenges = new AcmeChallenges();
    challenges.useAccountKey(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString());
    expect(challenges.answer("A".repeat(22))).toStartWith("A".repeat(22) + ".");
    for (const bad of ["A".repeat(21), "A".repeat(257), "abc<script>defghijklmnopq", "a/b" + "c".repeat(22), "a.b" + "c".repeat(22), ""]) expect(challenges.answer(bad)).toBeUndefined();
  });
});

describe("the ACME variables", () => {
  const load = (env: Record<string, string>) => loadConfig({ OB_FOLDER: "/tmp", ...env });
  test("Let's Encrypt production by default (also when empty), off for none, https only", () => {
    expect(load({})).toMatchObject({ acmeDirectory: LETS_ENCRYPT, acmeCaFile: undefined, contactEmail: undefined });
    expect(load({ OB_ACME_DIRECTORY: "" }).acmeDirectory).toBe(LETS_ENCRYPT);
    expect(load({ OB_ACME_DIRECTORY: "off" }).acmeDirectory).toBeUndefined();
    expect(load({ OB_ACME_DIRECTORY: "https://ca.internal:9000/acme/acme/directory", OB_ACME_CA_FILE: "/etc/ca.pem", OB_CONTACT_EMAIL: "ops@example.com" })).toMatchObject({
      acmeDirectory: "https://ca.internal:9000/acme/acme/directory",
      acmeCaFile: "/etc/ca.pem",
      contactEmail: "ops@example.com",
    });
    expect(() => load({ OB_ACME_DIRECTORY: "http://ca.internal/directory" })).toThrow("invalid OB_ACME_DIRECTORY");
    expect(() => load({ OB_CONTACT_EMAIL: "not an address" })).toThrow("invalid OB_CONTACT_EMAIL");
  });

  test("a CA file that cannot be read, or holds no certificate, stops the start naming OB_ACME_CA_FILE", async () => {
    const store = { saveIssued: async () => undefined, loadAcmeAccount: async () => undefined, saveAcmeAccount: async () => undefined };
    const build = (file: string) => () => new AcmeManager({ config: load({ OB_ACME_CA_FILE: file }), log: createLogger("silent"), clock: systemClock, table: new EdgeTable(), store });
    expect(build("/nonexistent/ca.pem")).toThrow('invalid OB_ACME_CA_FILE="/nonexistent/ca.pem": cannot read it (ENOENT)');
    const notPem = `/tmp/1backend-acme-not-pem-${process.pid}.txt`;
    await Bun.write(notPem, "hello");
    try {
      expect(build(notPem)).toThrow("expected PEM CA certificates");
    } finally {
      await Bun.file(notPem).delete();
    }
  });
});
