/** @module Entry of `dist/1backend`: parse argv, load config, start; SIGTERM/SIGINT stop gracefully. */
import { ConfigError, describeConfig, loadConfig } from "./config";
import { startServer } from "./serve";
import { VERSION } from "./version";

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(`1backend ${VERSION} — accounts, service registry and reverse proxy for microservices.

Usage: 1backend [--help] [--version]

Configuration is read from environment variables:
${describeConfig()}`);
  process.exit(0);
}
if (args.includes("--version")) {
  console.log(VERSION);
  process.exit(0);
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
  console.error(`1backend: failed to start: ${(err as Error).message}`);
  process.exit(1);
}
