/**
 * @module The web console (issue 15), served by the server itself: `/console` and every `/console/*`
 * path that is not an asset answer index.html (the console's router decides the screen), assets answer
 * from `/console/assets/<name>-<hash>.<ext>`. The files are embedded at build time (bundle.macro.ts),
 * decoded once here, and sent gzip-precompressed to clients that accept it. Every answer carries a
 * strict Content-Security-Policy: the console runs only its own script and style and talks only to
 * this origin, so an injected string cannot load or send anything.
 */
import { Elysia, t } from "elysia";
import { embeddedConsole } from "./bundle.macro" with { type: "macro" };
import { assetNotFound } from "./errors";

/** The Content-Security-Policy of every console answer. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  "content-security-policy": CONSOLE_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

interface ServedFile {
  type: string;
  body: Uint8Array;
  gzip: Uint8Array;
  cacheControl: string;
}

const HIDDEN = { detail: { hide: true } };
const IMMUTABLE = "public, max-age=31536000, immutable";

/** The console's files by name, decoded from the macro's base64 once. */
function loadFiles(): { index: ServedFile; assets: Map<string, ServedFile> } {
  const assets = new Map<string, ServedFile>();
  let index: ServedFile | undefined;
  for (const file of embeddedConsole()) {
    const served = { type: file.type, body: Buffer.from(file.body, "base64"), gzip: Buffer.from(file.gzip, "base64"), cacheControl: IMMUTABLE };
    if (file.name === "index.html") index = { ...served, cacheControl: "no-cache" };
    else assets.set(file.name, served);
  }
  if (!index) throw new Error("the console bundle has no index.html");
  return { index, assets };
}

function respond(file: ServedFile, acceptEncoding: string | null): Response {
  const gzip = acceptEncoding !== null && /\bgzip\b/.test(acceptEncoding);
  const headers: Record<string, string> = { ...SECURITY_HEADERS, "content-type": file.type, "cache-control": file.cacheControl, vary: "accept-encoding" };
  if (gzip) headers["content-encoding"] = "gzip";
  return new Response(gzip ? file.gzip : file.body, { headers });
}

/** The console routes. */
export function consoleRoutes() {
  const { index, assets } = loadFiles();
  const page = ({ request }: { request: Request }) => respond(index, request.headers.get("accept-encoding"));
  return new Elysia({ name: "console" })
    .get("/console", page, HIDDEN)
    .get(
      "/console/assets/:name",
      ({ params, request }) => {
        const file = assets.get(params.name);
        if (!file) throw assetNotFound(params.name);
        return respond(file, request.headers.get("accept-encoding"));
      },
      { ...HIDDEN, params: t.Object({ name: t.String({ maxLength: 256 }) }) },
    )
    .get("/console/*", page, HIDDEN);
}
