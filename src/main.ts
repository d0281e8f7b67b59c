/** @module Entry of `dist/1backend`: parse argv, load config, start; SIGTERM/SIGINT stop gracefully. */
import { ConfigError, describeConfig, loadConfig } from "./config";
import { errorCodes } from "./db/database";
import { DatabaseStartError, DbCodes } from "./db/errors";
import { formatAddress, ListenError } from "./http/listen";
import { startServer } from "./serve";
import { VERSION } from "./version";

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(`1backend ${VERSION} — accounts, service registry and reverse proxy for microservices.

Usage: 1backend [--help] [--version] [--health-check]

  --health-check   ask the running server's /readyz; exit 0 when it is ready (for container HEALTHCHECK)

Configuration is read from environment variables:
${describeConfig()}`);
  process.exit(0);
}
if (args.includes("--version")) {
  console.log(VERSION);
  process.exit(0);
}
if (args.includes("--health-check")) {
  // For container HEALTHCHECKs: the image has no curl, so the binary asks its own /readyz (ready, not
  // merely up: a server whose database stopped taking writes is reported unhealthy).
  const config = loadConfig();
  const host = config.listenHost === "0.0.0.0" || config.listenHost === "::" ? "127.0.0.1" : config.listenHost;
  const ok = await fetch(`http://${formatAddress(host, config.listenPort)}/readyz`, { signal: AbortSignal.timeout(2000) })
    .then((r) => r.ok)
    .catch(() => false);
  process.exit(ok ? 0 : 1);
}
if (args.length > 0) {
  console.error(`unknown argument: ${args[0]} (see --help)`);
  process.exit(2);
}

try {
  const server = await startServer(loadConfig());
  const shutdown = async (signal: string) => {
    server.deps.log.info("shutting down", { signal });
    await server.stop();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`1backend: ${err.message}`);
    process.exit(2);
  }
  if (err instanceof DatabaseStartError) {
    // PostgreSQL refused the login, has no such database, or did not answer within OB_DB_CONNECT_TIMEOUT.
    console.error(`1backend: ${err.message}`);
    process.exit(4);
  }
  if (errorCodes(err).includes(DbCodes.unavailable)) {
    console.error("1backend: PostgreSQL stopped answering during the start (migrations or bootstrap); check the server at OB_DB_CONNECTION_STRING and start again");
    process.exit(4);
  }
  if (err instanceof ListenError) {
    // Another server (or another program) has the address: a second node on it would split traffic
    // and state with the first. OB_REUSE_PORT=true shares it on purpose.
    console.error(`1backend: ${err.message} (set OB_REUSE_PORT=true only to share it on purpose)`);
    process.exit(3);
  }
  console.error(`1backend: failed to start: ${(err as Error).message}`);
  process.exit(1);
}
