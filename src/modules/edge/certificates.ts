/**
 * @module Certificate bundles as 1Backend's `saveCerts` takes them (reference §D.1: one PEM text holding
 * the private key, the certificate and its chain, as autocert stores them; accepted base64-encoded
 * too), checked before anything is stored (contract §8): every certificate parses (node:crypto
 * X509Certificate), there is exactly one unencrypted private key and it is the leaf's (the first
 * certificate), and the leaf has not expired. What the listing shows is read from the leaf with the
 * names Go's crypto/x509 gives (1Backend's `amendCertInfo`): decimal serial number, `SHA256-RSA`,
 * `ECDSA`, the issuer's common name.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { invalidCertificate } from "./errors";

/** A validated bundle: the chain without the key, the key alone (PKCS#8), and what the leaf says. */
export interface CertificateBundle {
  /** The certificates, leaf first, as PEM. */
  certPem: string;
  /** The private key as PKCS#8 PEM. */
  keyPem: string;
  /** DNS names it covers, lower-cased (subject alt names, else the common name). */
  names: string[];
  notBefore: number;
  notAfter: number;
}

/** The leaf's fields as listCerts shows them. */
export interface CertificateInfo {
  commonName?: string;
  dnsNames: string[];
  issuer?: string;
  notBefore: string;
  notAfter: string;
  serialNumber: string;
  isCA: boolean;
  signatureAlgorithm?: string;
  publicKeyAlgorithm?: string;
  publicKeyBitLength?: number;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
const KEY_TYPES = new Set(["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]);

/** Validates a PEM bundle (key + certificate + chain) at `now`; throws a 400 naming `field`. */
export function parseBundle(field: string, text: string, now: number): CertificateBundle {
  const bad = (why: string) => invalidCertificate(field, why);
  const pem = decodeBundle(text);
  if (!pem) throw bad("not a PEM bundle (expected -----BEGIN CERTIFICATE----- and a private key block, or their base64)");
  const certificates: X509Certificate[] = [];
  let key: KeyObject | undefined;
  for (const [block, type] of pem.matchAll(BLOCK)) {
    if (type === "CERTIFICATE") {
      try {
        certificates.push(new X509Certificate(block));
      } catch {
        throw bad(`certificate ${certificates.length + 1} does not parse`);
      }
    } else if (KEY_TYPES.has(type!)) {
      if (key) throw bad("the bundle holds more than one private key");
      try {
        key = createPrivateKey(block);
      } catch {
        throw bad("the private key does not parse");
      }
    } else if (type === "ENCRYPTED PRIVATE KEY") {
      throw bad("the private key is encrypted with a passphrase; give it unencrypted");
    } else if (type !== "EC PARAMETERS") {
      throw bad(`unexpected PEM block ${type}`);
    }
  }
  const leaf = certificates[0];
  if (!leaf) throw bad("the bundle holds no certificate");
  if (!key) throw bad("the bundle holds no private key");
  const spki = (k: KeyObject) => k.export({ type: "spki", format: "der" });
  if (!spki(createPublicKey(key)).equals(spki(leaf.publicKey))) throw bad("the private key does not belong to the first certificate");
  const notBefore = Date.parse(leaf.validFrom);
  const notAfter = Date.parse(leaf.validTo);
  if (!(notAfter > now)) throw bad(`the certificate expired on ${new Date(notAfter).toISOString()}`);
  return {
    certPem: certificates.map((c) => c.toString().trim()).join("\n") + "\n",
    keyPem: key.export({ type: "pkcs8", format: "pem" }).toString(),
    names: namesOf(leaf),
    notBefore,
    notAfter,
  };
}

/** The PEM text of `text`, decoded from base64 when it is not PEM already; undefined when it is neither. */
function decodeBundle(text: string): string | undefined {
  if (text.includes("-----BEGIN ")) return text;
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return undefined;
  const decoded = Buffer.from(compact, compact.includes("-") || compact.includes("_") ? "base64url" : "base64").toString("utf8");
  return decoded.includes("-----BEGIN ") ? decoded : undefined;
}

/** The DNS names a certificate covers (lower-cased): its subject alt names, else its common name. */
export function namesOf(cert: X509Certificate): string[] {
  const dns = dnsNamesOf(cert);
  if (dns.length > 0) return dns;
  const cn = commonNameOf(cert.subject);
  return cn ? [cn.toLowerCase()] : [];
}

function dnsNamesOf(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? "")
    .split(/,\s*/)
    .filter((entry) => entry.startsWith("DNS:"))
    .map((entry) => entry.slice(4).replace(/^"|"$/g, "").toLowerCase());
}

function commonNameOf(name: string): string | undefined {
  for (const line of name.split("\n")) if (line.startsWith("CN=")) return line.slice(3);
  return undefined;
}

/** What listCerts shows of the leaf (the first certificate of `certPem`). */
export function describeCertificate(certPem: string): CertificateInfo {
  const leaf = new X509Certificate(certPem.slice(0, certPem.indexOf("-----END CERTIFICATE-----") + 25));
  const key = leaf.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  return {
    commonName: commonNameOf(leaf.subject),
    dnsNames: dnsNamesOf(leaf),
    issuer: commonNameOf(leaf.issuer) ?? (leaf.issuer.replaceAll("\n", ", ") || undefined),
    notBefore: new Date(Date.parse(leaf.validFrom)).toISOString(),
    notAfter: new Date(Date.parse(leaf.validTo)).toISOString(),
    serialNumber: BigInt(`0x${leaf.serialNumber}`).toString(10),
    isCA: leaf.ca,
    signatureAlgorithm: signatureAlgorithmOf(leaf.raw),
    publicKeyAlgorithm: PUBLIC_KEY_ALGORITHMS[key.asymmetricKeyType ?? ""],
    publicKeyBitLength: details.modulusLength ?? CURVE_BITS[details.namedCurve ?? ""] ?? (key.asymmetricKeyType === "ed25519" ? 256 : undefined),
  };
}

const PUBLIC_KEY_ALGORITHMS: Record<string, string> = { rsa: "RSA", "rsa-pss": "RSA", ec: "ECDSA", ed25519: "Ed25519" };
const CURVE_BITS: Record<string, number> = { prime256v1: 256, "P-256": 256, secp384r1: 384, "P-384": 384, secp521r1: 521, "P-521": 521 };
/** Signature algorithm OIDs → Go's x509.SignatureAlgorithm names. */
const SIGNATURE_ALGORITHMS: Record<string, string> = {
  "1.2.840.113549.1.1.5": "SHA1-RSA",
  "1.2.840.113549.1.1.11": "SHA256-RSA",
  "1.2.840.113549.1.1.12": "SHA384-RSA",
  "1.2.840.113549.1.1.13": "SHA512-RSA",
  "1.2.840.113549.1.1.10": "RSASSA-PSS",
  "1.2.840.10045.4.3.2": "ECDSA-SHA256",
  "1.2.840.10045.4.3.3": "ECDSA-SHA384",
  "1.2.840.10045.4.3.4": "ECDSA-SHA512",
  "1.3.101.112": "Ed25519",
};

/**
 * The certificate's signature algorithm, read from its DER (node:crypto does not expose it):
 * Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE { OID, … }, … }
 * (RFC 5280 §4.1).
 */
function signatureAlgorithmOf(der: Buffer): string | undefined {
  try {
    const outer = readTlv(der, 0);
    const tbs = readTlv(der, outer.start);
    const algorithm = readTlv(der, tbs.end);
    const oid = readTlv(der, algorithm.start);
    if (oid.tag !== 0x06) return undefined;
    const dotted = decodeOid(der.subarray(oid.start, oid.end));
    return SIGNATURE_ALGORITHMS[dotted] ?? dotted;
  } catch {
    return undefined;
  }
}

/** One DER tag-length-value at `at`: its tag, where its content starts and ends. */
function readTlv(der: Buffer, at: number): { tag: number; start: number; end: number } {
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  if (start + length > der.length) throw new Error("truncated DER");
  return { tag, start, end: start + length };
}

function decodeOid(bytes: Buffer): string {
  const parts = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}
