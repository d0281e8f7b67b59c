/** Which certificate serves which SNI name (tls.ts CertificateIndex), pure: exact, wildcard, the choice among several, when it changes. */
import { describe, expect, test } from "bun:test";
import type { EdgeCertificate } from "../../src/modules/edge/model";
import { CertificateIndex, placeholderCertificate, PLACEHOLDER_NAME } from "../../src/modules/edge/tls";
import { X509Certificate, createPrivateKey } from "node:crypto";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 2);

function cert(id: string, names: string[], notBefore: number, notAfter: number): EdgeCertificate {
  return { id, names, certPem: `cert of ${id}`, keyPem: `key of ${id}`, notBefore, notAfter };
}

describe("CertificateIndex", () => {
  test("exact names first, then a one-label wildcard", () => {
    const wild = cert("w", ["*.x.test"], NOW - DAY, NOW + DAY);
    const exact = cert("e", ["a.x.test", "X.TEST"], NOW - DAY, NOW + DAY);
    const index = new CertificateIndex([wild, exact], NOW);
    expect(index.certificateFor("a.x.test")).toBe(exact);
    expect(index.certificateFor("b.x.test")).toBe(wild);
    expect(index.certificateFor("x.test")).toBe(exact);
    expect(index.certificateFor("a.b.x.test")).toBeUndefined();
    expect(index.certificateFor("y.test")).toBeUndefined();
    expect(index.tlsOptions({ cert: "p", key: "k" }).map((o) => o.serverName ?? "(default)")).toEqual(["(default)", "*.x.test", "a.x.test", "x.test"]);
  });

  test("among several for one name: valid now and latest notAfter; an expired one only alone", () => {
    const old = cert("old", ["a.test"], NOW - 10 * DAY, NOW + DAY);
    const renewed = cert("renewed", ["a.test"], NOW - DAY, NOW + 90 * DAY);
    const future = cert("future", ["a.test"], NOW + DAY, NOW + 200 * DAY);
    const expired = cert("expired", ["b.test"], NOW - 10 * DAY, NOW - DAY);
    const index = new CertificateIndex([old, future, renewed, expired], NOW);
    expect(index.certificateFor("a.test")).toBe(renewed);
    expect(index.certificateFor("b.test")).toBe(expired);
    // The next moment the choice may change: the old certificate's expiry (before the future one's start).
    expect(index.changesAt).toBe(NOW + DAY);
    expect(new CertificateIndex([future], NOW + 2 * DAY).certificateFor("a.test")).toBe(future);
    expect(new CertificateIndex([], NOW).changesAt).toBe(Infinity);
  });

  test("sameChoice tells a rebuild that changed nothing", () => {
    const a = cert("a", ["a.test"], NOW - DAY, NOW + DAY);
    const b = cert("b", ["b.test"], NOW - DAY, NOW + DAY);
    expect(new CertificateIndex([a, b], NOW).sameChoice(new CertificateIndex([b, a], NOW))).toBe(true);
    expect(new CertificateIndex([a], NOW).sameChoice(new CertificateIndex([a, b], NOW))).toBe(false);
  });
});

describe("placeholderCertificate", () => {
  test("a self-signed certificate for the placeholder name whose key matches", () => {
    const { cert: pem, key } = placeholderCertificate();
    const x509 = new X509Certificate(pem);
    expect(x509.subject).toBe(`CN=${PLACEHOLDER_NAME}`);
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(Date.parse(x509.validTo)).toBeGreaterThan(Date.UTC(2049, 0, 1));
  });
});
