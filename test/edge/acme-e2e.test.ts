/**
 * ACME end to end in the compiled server (issue 13): `dist/1backend` with OB_EDGE_PROXY=true against a
 * private pebble whose HTTP-01 validator connects to the server's own edge HTTP listener. A route saved
 * through the API gets a certificate without a restart, served by the TLS listener to the route's SNI
 * name and chaining to pebble's root; restarted on the same state, the server serves the stored
 * certificate at once and orders only for a host that has none. SQLite only: on PostgreSQL the first
 * order after a new account waits one pass interval (1 min) for other nodes to load the key, which
 * test/edge/acme.test.ts covers with a shorter hold.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type PeerCertificate } from "node:tls";
import { startBinary, waitFor, type BinaryServer } from "../helpers/binary";
import { call } from "../helpers/call";
import { onPostgres } from "../helpers/dialect";
import { tempDir } from "../helpers/temp-dir";
import { freePorts, startPebble, type Pebble } from "./acme-pebble";

const KEY = Buffer.alloc(32, 7).toString("base64");
const APP = "test.app";

let pebble: Pebble;
let httpPort: number;

beforeAll(async () => {
  httpPort = (await freePorts(1))[0]!;
  pebble = await startPebble({ httpPort: httpPort!, validitySeconds: 90 * 86_400 });
});
afterAll(async () => {
  await pebble?.[Symbol.asyncDispose]();
});

async function edgeServer(folder: string): Promise<{ server: BinaryServer; httpsPort: number }> {
  const server = await startBinary({
    folder,
    env: {
      OB_ENCRYPTION_KEY: KEY,
      OB_EDGE_PROXY: "true",
      OB_EDGE_PROXY_HTTP_PORT: `127.0.0.1:${httpPort}`,
      OB_EDGE_PROXY_HTTPS_PORT: "127.0.0.1:0",
      OB_ACME_DIRECTORY: pebble.directory,
      OB_ACME_CA_FILE: pebble.caFile,
      OB_CONTACT_EMAIL: "ops@example.test",
    },
  });
  const line = await waitFor("the edge listening line", () => server.lines.find((l) => l.includes('"msg":"edge listening"')));
  return { server, httpsPort: Number(new URL(JSON.parse(line).https).port) };
}

/** The certificate the TLS listener presents for `servername`, and whether it verifies against `ca`. */
function handshake(port: number, servername: string, ca: string): Promise<{ cert: PeerCertificate; authorized: boolean; error?: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, servername, ca, rejectUnauthorized: false }, () => {
      const result = { cert: socket.getPeerCertificate(), authorized: socket.authorized, error: socket.authorizationError?.toString() };
      socket.end();
      resolve(result);
    });
    socket.on("error", reject);
  });
}

async function saveRoutes(url: string, hosts: string[]): Promise<void> {
  const login = await call("POST", `${url}/user-svc/login`, { appHost: APP, slug: "1backend", password: "changeme" });
  const saved = await call("PUT", `${url}/proxy-svc/routes`, { routes: hosts.map((id) => ({ id, target: "http://127.0.0.1:9" })) }, login.body.token.token);
  expect(saved.status).toBe(200);
}

const issuedLines = (server: BinaryServer) => server.lines.filter((l) => l.includes('"msg":"acme: certificate issued"')).map((l) => JSON.parse(l).host as string);

describe.skipIf(onPostgres)("ACME in the compiled server", () => {
  test("a saved route gets a certificate served by SNI; after a restart it is served at once and not ordered again", async () => {
    await using dir = tempDir();
    const root = await pebble.rootPem();
    let serial: string;
    {
      const { server, httpsPort } = await edgeServer(dir.path);
      try {
        await saveRoutes(server.url, ["e2e.example.test"]);
        await waitFor("the certificate issued", () => issuedLines(server).includes("e2e.example.test"), 20_000);
        const tls = await handshake(httpsPort, "e2e.example.test", root);
        expect(tls.cert.subjectaltname).toBe("DNS:e2e.example.test");
        // pebble sends leaf + intermediate; the intermediate chains to the root fetched from pebble.
        expect({ authorized: tls.authorized, error: tls.error }).toEqual({ authorized: true, error: undefined });
        serial = tls.cert.serialNumber;
        expect(server.lines.filter((l) => l.includes('"msg":"acme: account created"'))).toHaveLength(1);
      } finally {
        await server.stop();
      }
    }
    const { server, httpsPort } = await edgeServer(dir.path);
    try {
      // Served from the store before anything is ordered.
      expect((await handshake(httpsPort, "e2e.example.test", root)).cert.serialNumber).toBe(serial);
      // A second host is ordered; passes run one after the other, so the start pass (which would have
      // ordered the first host again) is done before this one: only the new host was issued.
      await saveRoutes(server.url, ["e2e.example.test", "e2e-2.example.test"]);
      await waitFor("the second certificate issued", () => issuedLines(server).includes("e2e-2.example.test"), 20_000);
      expect(issuedLines(server)).toEqual(["e2e-2.example.test"]);
      expect(server.lines.some((l) => l.includes('"msg":"acme: account created"'))).toBe(false);
      const second = await handshake(httpsPort, "e2e-2.example.test", root);
      expect({ san: second.cert.subjectaltname, authorized: second.authorized }).toEqual({ san: "DNS:e2e-2.example.test", authorized: true });
      expect((await handshake(httpsPort, "e2e.example.test", root)).cert.serialNumber).toBe(serial);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
