/**
 * @module The TLS listener's certificates (contract §8): which certificate each SNI name gets, as the
 * `tls` array of Bun.serve, rebuilt when the table's certificates change.
 *
 * Bun 1.4.5 (verified in test/edge/tls.test.ts): `tls` takes an array of `{ serverName, cert, key }`;
 * an exact name wins over a wildcard, and `*.x.com` stands for one label (`a.x.com`, not `a.b.x.com`
 * nor `x.com`), names compared case-insensitively. A client whose SNI matches no entry (or that sends
 * none) gets the array's first entry, and Bun offers no hook to abort such a handshake. So the first
 * entry is a {@link placeholderCertificate}: self-signed, for the name `no-certificate.invalid`
 * (RFC 6761: never a real host), made at start with a fresh key. A client that verifies certificates
 * refuses the handshake for a host we hold no certificate for, and no real host's certificate is ever
 * shown to a name it does not cover.
 *
 * Several certificates for one name (a saved one and an ACME one, overlapping wildcards): the one
 * valid now whose `notAfter` is latest; an expired one only when there is nothing else. The choice
 * holds until {@link CertificateIndex.changesAt}, when the listener builds it again.
 */
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import type { TLSOptions } from "bun";
import type { EdgeCertificate } from "./model";

/** The certificate a TLS listener serves to every name it has no certificate for. */
export const PLACEHOLDER_NAME = "no-certificate.invalid";

/** Which certificate serves which name; built from the table's certificates when they change. */
export class CertificateIndex {
  private readonly byName = new Map<string, EdgeCertificate>();
  /** The first time after the build when a certificate becomes valid or expires (the choice may change); Infinity when none. */
  readonly changesAt: number;

  constructor(certs: Iterable<EdgeCertificate>, now: number) {
    let changesAt = Infinity;
    for (const cert of certs) {
      if (cert.notBefore > now) changesAt = Math.min(changesAt, cert.notBefore);
      if (cert.notAfter > now) changesAt = Math.min(changesAt, cert.notAfter);
      for (const raw of cert.names) {
        const name = raw.toLowerCase().replace(/\.$/, "");
        const held = this.byName.get(name);
        if (held === undefined || better(cert, held, now)) this.byName.set(name, cert);
      }
    }
    this.changesAt = changesAt;
  }

  /** The certificate a handshake for `host` (lower-case, no port) gets: exact name, else `*.` + its parent. */
  certificateFor(host: string): EdgeCertificate | undefined {
    const exact = this.byName.get(host);
    if (exact !== undefined) return exact;
    const dot = host.indexOf(".");
    return dot < 0 ? undefined : this.byName.get(`*${host.slice(dot)}`);
  }

  /** Bun.serve's `tls`: the placeholder first (the default), then one entry per name. */
  tlsOptions(placeholder: { cert: string; key: string }): TLSOptions[] {
    const entries: TLSOptions[] = [{ cert: placeholder.cert, key: placeholder.key }];
    for (const [name, cert] of this.byName) entries.push({ serverName: name, cert: cert.certPem, key: cert.keyPem });
    return entries;
  }

  /** Whether `other` serves every name with the same certificate (a rebuild that changed nothing). */
  sameChoice(other: CertificateIndex): boolean {
    if (other.byName.size !== this.byName.size) return false;
    for (const [name, cert] of this.byName) if (other.byName.get(name) !== cert) return false;
    return true;
  }

  get size(): number {
    return this.byName.size;
  }
}

function better(candidate: EdgeCertificate, held: EdgeCertificate, now: number): boolean {
  const valid = (c: EdgeCertificate) => c.notBefore <= now && now < c.notAfter;
  if (valid(candidate) !== valid(held)) return valid(candidate);
  return candidate.notAfter > held.notAfter;
}

/**
 * A self-signed certificate for {@link PLACEHOLDER_NAME} (ECDSA P-256, X.509 v3 without extensions,
 * valid 2000–2049), built with node:crypto alone: a few DER structures and one signature.
 */
export function placeholderCertificate(): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ecdsaWithSha256 = der(0x30, der(0x06, Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])));
  const name = der(0x30, der(0x31, der(0x30, der(0x06, Buffer.from([0x55, 0x04, 0x03])), der(0x0c, Buffer.from(PLACEHOLDER_NAME)))));
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // a positive INTEGER
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, Buffer.from([2]))), // version v3
    der(0x02, serial),
    ecdsaWithSha256,
    name,
    der(0x30, der(0x17, Buffer.from("000101000000Z")), der(0x17, Buffer.from("491231235959Z"))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
  );
  const signature = sign("sha256", tbs, privateKey);
  const cert = der(0x30, tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature));
  return { cert: pem("CERTIFICATE", cert), key: privateKey.export({ type: "pkcs8", format: "pem" }) as string };
}

/** One DER TLV: `tag`, definite length, the concatenated `parts`. */
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

function pem(label: string, body: Buffer): string {
  const lines = body.toString("base64").match(/.{1,64}/g)!.join("\n");
  return `-----BEGIN ${label}-----\n${lines}\n-----END ${label}-----\n`;
}
