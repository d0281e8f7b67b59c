/**
 * @module Certificates made by the test with openssl in a temp folder (removed on dispose): self-signed
 * leaves for given names (RSA or ECDSA P-256), and one whose validity ended in 2020 (`openssl ca`
 * with explicit dates; OpenSSL 3.0's `req` cannot backdate).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCert {
  certPem: string;
  keyPem: string;
  /** key + certificate, as saveCerts takes it. */
  bundle: string;
}

function openssl(cwd: string, args: string[]): void {
  const r = Bun.spawnSync(["openssl", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr.toString()}`);
}

const keyArgs = (kind: "rsa" | "ec") => (kind === "rsa" ? ["-newkey", "rsa:2048"] : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]);

/** A folder of certificates; `await using certs = certFactory()`. */
export function certFactory() {
  const dir = mkdtempSync(join(tmpdir(), "ob-edge-certs-"));
  let n = 0;
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  const result = (key: string, cert: string): TestCert => ({ certPem: read(cert), keyPem: read(key), bundle: read(key) + read(cert) });
  return {
    /** A self-signed certificate for `names` (the first is the common name), valid for 30 days. */
    selfSigned(names: string[], kind: "rsa" | "ec" = "ec"): TestCert {
      const i = ++n;
      openssl(dir, ["req", "-x509", ...keyArgs(kind), "-nodes", "-keyout", `k${i}.pem`, "-out", `c${i}.pem`, "-days", "30", "-subj", `/CN=${names[0]}`, "-addext", `subjectAltName=${names.map((d) => `DNS:${d}`).join(",")}`]);
      return result(`k${i}.pem`, `c${i}.pem`);
    },
    /** A certificate for `name` valid from 2020-01-01 to 2020-02-01. */
    expired(name: string): TestCert {
      const i = ++n;
      writeFileSync(join(dir, `ca${i}.cnf`), `[ca]\ndefault_ca=d\n[d]\ndatabase=index${i}.txt\nnew_certs_dir=.\nserial=serial${i}\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n`);
      writeFileSync(join(dir, `index${i}.txt`), "");
      writeFileSync(join(dir, `serial${i}`), "01\n");
      openssl(dir, ["req", "-new", ...keyArgs("ec"), "-nodes", "-keyout", `k${i}.pem`, "-out", `r${i}.csr`, "-subj", `/CN=${name}`]);
      openssl(dir, ["ca", "-batch", "-notext", "-config", `ca${i}.cnf`, "-selfsign", "-keyfile", `k${i}.pem`, "-in", `r${i}.csr`, "-out", `c${i}.pem`, "-startdate", "20200101000000Z", "-enddate", "20200201000000Z"]);
      return result(`k${i}.pem`, `c${i}.pem`);
    },
    [Symbol.asyncDispose]: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The base64 body of a PEM block (its lines joined): what must never appear in a database in clear. */
export function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
}
