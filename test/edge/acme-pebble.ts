/**
 * @module A private ACME server for the tests: Debian's `pebble` (Let's Encrypt's RFC 8555 test server)
 * on loopback ports, with `pebble-challtestsrv` as its mock DNS answering 127.0.0.1 for every name, so
 * HTTP-01 is really validated: pebble fetches `http://<name>:<httpPort>/.well-known/acme-challenge/…`
 * from 127.0.0.1:<httpPort>, the edge HTTP listener under test. Its directory is HTTPS under a
 * certificate made here (`caFile`, what OB_ACME_CA_FILE names). `await using` stops both and removes
 * the folder. Installed by scripts/pebble.sh.
 */
import type { Subprocess } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopGracefully, waitForLine } from "../helpers/child-process";

export interface Pebble {
  /** The ACME directory URL (https://127.0.0.1:<port>/dir). */
  directory: string;
  /** PEM file of the certificate of pebble's own HTTPS listeners. */
  caFile: string;
  /** Pebble's issuing root (fetched from its management API): what issued certificates chain to. */
  rootPem(): Promise<string>;
  /**
   * Points `host`'s A record at `address` in the mock DNS (undefined: back to 127.0.0.1), so the CA's
   * validation connects elsewhere, as when a name's DNS is not (yet) at this server.
   */
  pointHost(host: string, address?: string): Promise<void>;
  /** Every output line of pebble so far (for failure messages). */
  lines: string[];
  [Symbol.asyncDispose](): Promise<void>;
}

export interface PebbleOptions {
  /** The port pebble's validator connects to for HTTP-01 (the edge HTTP listener's). */
  httpPort: number;
  /** Lifetime of issued certificates in seconds (pebble's certificateValidityPeriod). */
  validitySeconds?: number;
}

type Child = Subprocess<"ignore", "pipe", "pipe">;

/** Starts challtestsrv (mock DNS) and pebble; rejects, leaving nothing running, when either does not come up. */
export async function startPebble(o: PebbleOptions): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), "1backend-pebble-"));
  const children: Child[] = [];
  const dispose = async () => {
    await Promise.all(children.map((child) => stopGracefully(child, 2000)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [dnsPort, dnsManagementPort, acmePort, managementPort, tlsPort] = await freePorts(5);
    const caFile = join(dir, "pebble.pem");
    const keyFile = join(dir, "pebble.key");
    openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=pebble test", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", keyFile, "-out", caFile]);
    const dnsLines: string[] = [];
    const dns = spawn(["pebble-challtestsrv", "-dns01", `127.0.0.1:${dnsPort}`, "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", `127.0.0.1:${dnsManagementPort}`, "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""]);
    children.push(dns);
    await waitForLine(dns, dnsLines, "Starting challenge servers", "pebble-challtestsrv", 10_000);
    const config = {
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: caFile,
        privateKey: keyFile,
        httpPort: o.httpPort,
        tlsPort,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
        certificateValidityPeriod: o.validitySeconds ?? 3600,
      },
    };
    const configFile = join(dir, "pebble-config.json");
    await Bun.write(configFile, JSON.stringify(config));
    const lines: string[] = [];
    // PEBBLE_VA_NOSLEEP: validate at once, not after a random 0-15 s; PEBBLE_WFE_NONCEREJECT=0: no
    // random badNonce refusals (acme-client retries them, but they only slow the test down).
    const pebble = spawn(["pebble", "-config", configFile, "-dnsserver", `127.0.0.1:${dnsPort}`], { PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" });
    children.push(pebble);
    await waitForLine(pebble, lines, "ACME directory available at", "pebble", 15_000);
    return {
      directory: `https://127.0.0.1:${acmePort}/dir`,
      caFile,
      lines,
      pointHost: async (host, address) => {
        const body = address ? { host: `${host}.`, addresses: [address] } : { host: `${host}.` };
        const response = await fetch(`http://127.0.0.1:${dnsManagementPort}/${address ? "add-a" : "clear-a"}`, { method: "POST", body: JSON.stringify(body) });
        if (!response.ok) throw new Error(`pebble-challtestsrv answered ${response.status}: ${await response.text()}`);
      },
      rootPem: async () => {
        const response = await fetch(`https://127.0.0.1:${managementPort}/roots/0`, { tls: { ca: await Bun.file(caFile).text() } });
        if (!response.ok) throw new Error(`pebble /roots/0 answered ${response.status}`);
        return response.text();
      },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

function spawn(cmd: string[], env: Record<string, string> = {}): Child {
  return Bun.spawn(cmd, { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
}

function openssl(args: string[]): void {
  const made = Bun.spawnSync(["openssl", ...args], { stdout: "ignore", stderr: "pipe" });
  if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
}

/** Ports free on 127.0.0.1 now (held together while chosen, so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const held = Array.from({ length: count }, () => Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }));
  const ports = held.map((s) => s.port);
  for (const s of held) s.stop(true);
  return ports;
}
