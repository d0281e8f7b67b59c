/**
 * @module The seed walkthrough service: slug `skeleton-svc`, `GET /skeleton-svc/hello` → `{"hello": "world"}`.
 *
 * Run it next to a server:
 *   OB_URL=http://127.0.0.1:11337 SELF_URL=http://127.0.0.1:9311 bun examples/skeleton-svc/main.ts
 * then `curl http://127.0.0.1:11337/skeleton-svc/hello`. SIGTERM/SIGINT deregister and exit 0.
 * A SELF_URL with port 0 binds a free port and registers the real one. It listens first and registers
 * then, so the server never routes to a port that is not open yet. Its own URL is SELF_URL (or
 * OB_INSTANCE_URL), never OB_SELF_URL: that one is the server's, and may be exported in the same shell.
 */
import { selfUrlFromEnv, startService } from "../../sdk/index.ts";

const SLUG = "skeleton-svc";
const requested = new URL(selfUrlFromEnv(process.env, "http://127.0.0.1:9311"));

const server = Bun.serve({
  hostname: requested.hostname.replace(/^\[|\]$/g, ""),
  port: Number(requested.port || 80),
  fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === `/${SLUG}/hello` && request.method === "GET") return Response.json({ hello: "world" });
    return Response.json({ error: "not found", code: "skeleton-svc.not_found" }, { status: 404 });
  },
});
requested.port = String(server.port);
const selfUrl = requested.toString().replace(/\/$/, "");

const service = await startService({ slug: SLUG, name: "Skeleton Svc", selfUrl }).catch((err: Error) => {
  console.error(`skeleton-svc: ${err.message}`);
  process.exit(1);
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await service.stop();
  } catch (err) {
    console.error(`skeleton-svc: deregistration failed on ${signal}: ${(err as Error).message}`);
  }
  server.stop(true);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
// Ready only once the signal handlers are in place: a SIGTERM right after this line deregisters.
console.log(JSON.stringify({ msg: "skeleton-svc ready", url: selfUrl, server: service.serverUrl }));
