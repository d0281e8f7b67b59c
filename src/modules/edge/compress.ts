/**
 * @module Compression of edge responses (issue 13; 1Backend's compression.go without its faults:
 * it prefers gzip by substring and reads no q-values, so `gzip;q=0` still got gzip).
 *
 * A response is encoded when all of these hold, and passed through untouched otherwise:
 * - the request is not HEAD and not a WebSocket handshake, and the answer is not 1xx (101), 204,
 *   205, 206 or 304, nor carries `Content-Range` (a range is of the unencoded representation);
 * - the upstream did not encode it (`Content-Encoding` absent, whatever its value);
 * - neither side said `Cache-Control: no-transform` (RFC 9111 §5.2.1.6, §5.2.2.6; RFC 9110 §7.7);
 * - its type is compressible ({@link isCompressibleType}: text, JSON, JavaScript, XML, SVG, fonts…),
 *   except `text/event-stream`: server-sent events stay as sent, unflushed bytes would delay them;
 * - its length is unknown, or known and at least {@link MIN_LENGTH}. An unknown length (a chunked
 *   upstream) is encoded: the headers go out before any body byte is read, and waiting for the first
 *   chunk to learn the size would hold a streaming answer's headers until its first event. A tiny
 *   chunked body grows by the coding's framing (~20 bytes), a price only such bodies pay;
 * - the client accepts br or gzip ({@link negotiate}: RFC 9110 §12.5.3 with q-values, `*`, `identity`).
 * Such a response, encoded or not, gets `Vary: Accept-Encoding` (the answer depends on it, so a cache
 * must key on it). Encoded, it loses `Content-Length` and `Accept-Ranges`, and its strong ETag is
 * weakened (RFC 9110 §8.8.1: the bytes differ from the unencoded representation's).
 *
 * Streaming: never the whole body in memory.
 * - Unknown length (possibly a live stream) and every brotli body: each upstream chunk is written to a
 *   node:zlib stream and, when the next chunk is not already waiting, flushed (Z_SYNC_FLUSH /
 *   BROTLI_OPERATION_FLUSH), so what the upstream sent reaches the client without waiting for more; a
 *   burst is written unflushed and compresses as a whole. Backpressure: no upstream chunk is read while
 *   the client has {@link HIGH_WATER} encoded bytes unread.
 * - gzip of a known length: Bun's native CompressionStream (piped, so backpressure and cancel follow).
 *   It has no flush (after a small write only the 10-byte header comes out until more input or the
 *   end), harmless for a body that ends by itself, and costs 2-3× less CPU than the node:zlib stream
 *   under 50 concurrent responses. Its brotli is quality 11 (~130 ms per 100 KiB), so not used.
 * Costs (bench/edge/README.md): per 100 KiB JSON response through a Bun server at 50 connections,
 * ~1.5 ms CPU gzip (CompressionStream), ~4 ms gzip and 5-9 ms brotli on the node:zlib path, on a
 * loaded machine; ~0.4 µs for an answer left alone.
 *
 * Headers are edited in place (a fetch response's are mutable in Bun; forward.ts edits them too).
 */
import { constants, createBrotliCompress, createGzip, type BrotliCompress, type Gzip } from "node:zlib";

/** A content coding the edge produces. */
export type Coding = "br" | "gzip";

/** Bodies of a known length under this many bytes are sent as they are (1Backend's threshold). */
export const MIN_LENGTH = 1024;

/** Encoded bytes queued toward the client before the upstream body stops being read. */
export const HIGH_WATER = 64 * 1024;

/** gzip level 6 (zlib's default); brotli quality 4 (1Backend's): see bench/edge/README.md "compression". */
const GZIP_LEVEL = 6;
const BROTLI_QUALITY = 4;

/** Types compressed besides text/* (minus text/event-stream) and any `+json` / `+xml` type. */
const COMPRESSIBLE = new Set([
  "application/json",
  "application/x-ndjson",
  "application/javascript",
  "application/x-javascript",
  "application/ecmascript",
  "application/xml",
  "application/wasm",
  "application/graphql",
  "application/toml",
  "application/yaml",
  "application/x-yaml",
  "application/rtf",
  "application/x-sh",
  "application/x-font-ttf",
  "application/x-font-otf",
  "application/vnd.ms-fontobject",
  "font/ttf",
  "font/otf",
  "font/opentype",
  "image/bmp",
  "image/x-icon",
  "image/vnd.microsoft.icon",
]);

/**
 * The response to send for `request`: `response` encoded with the client's preferred coding when the
 * rules of this module allow it, else `response` itself (headers possibly given `Vary`).
 */
export function compress(request: Request, response: Response): Response {
  const body = response.body;
  if (body === null || !encodableStatus(response.status)) return response;
  const headers = response.headers;
  if (headers.has("content-encoding") || headers.has("content-range") || !isCompressibleType(headers.get("content-type"))) return response;
  const length = headers.get("content-length");
  if (length !== null && Number(length) < MIN_LENGTH) return response;
  if (request.method === "HEAD" || request.headers.has("upgrade")) return response;
  if (noTransform(headers.get("cache-control")) || noTransform(request.headers.get("cache-control"))) return response;
  addVary(headers);
  const coding = codingFor(request.headers.get("accept-encoding"));
  if (coding === undefined) return response;
  headers.set("content-encoding", coding);
  headers.delete("content-length");
  headers.delete("accept-ranges");
  const etag = headers.get("etag");
  if (etag !== null && !etag.startsWith("W/")) headers.set("etag", `W/${etag}`);
  const sizeHint = length === null ? 0 : Number(length);
  return new Response(encode(body, coding, sizeHint), { status: response.status, statusText: response.statusText, headers });
}

function encodableStatus(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 205 && status !== 206 && status !== 304;
}

/**
 * Whether a `Content-Type` names a compressible type: text/* but text/event-stream, any `+json` or
 * `+xml` structured suffix (SVG, Atom, JSON-LD…), and {@link COMPRESSIBLE}. Parameters are ignored.
 */
export function isCompressibleType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const semi = contentType.indexOf(";");
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (type.startsWith("text/")) return type !== "text/event-stream";
  return type.endsWith("+json") || type.endsWith("+xml") || COMPRESSIBLE.has(type);
}

function noTransform(cacheControl: string | null): boolean {
  return cacheControl !== null && cacheControl.toLowerCase().includes("no-transform");
}

/** Adds `Accept-Encoding` to `Vary` unless it is there or `Vary: *` already covers it. */
function addVary(headers: Headers): void {
  const vary = headers.get("vary");
  if (vary === null) return headers.set("vary", "Accept-Encoding");
  for (const item of vary.split(",")) {
    const name = item.trim().toLowerCase();
    if (name === "*" || name === "accept-encoding") return;
  }
  headers.set("vary", `${vary}, Accept-Encoding`);
}

// Clients send few distinct Accept-Encoding values (one per browser build): each is parsed once.
const choices = new Map<string, Coding | null>();
const MAX_CHOICES = 256;

/** {@link negotiate} of an `Accept-Encoding` value, memoised; none (null) → no coding. */
export function codingFor(acceptEncoding: string | null): Coding | undefined {
  // No field: any coding is acceptable in theory (RFC 9110 §12.5.3), but clients that decode say so;
  // nginx and Caddy send identity too.
  if (acceptEncoding === null) return undefined;
  let choice = choices.get(acceptEncoding);
  if (choice === undefined) {
    choice = negotiate(acceptEncoding) ?? null;
    if (choices.size >= MAX_CHOICES) choices.clear();
    choices.set(acceptEncoding, choice);
  }
  return choice ?? undefined;
}

/** RFC 9110 §12.4.2 qvalue: 0 to 1 with at most three decimals. */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The coding to answer a request with `Accept-Encoding: acceptEncoding`, RFC 9110 §12.5.3: each coding
 * weighs its own q (default 1; `x-gzip` is gzip, §8.4.1.3), an unlisted one weighs what `*` says (else
 * it is not acceptable), and q=0 refuses. The heavier of br and gzip wins, gzip on a tie (browsers
 * list both unweighted): in Bun 1.4.5 gzip of a known length runs in the native CompressionStream, and
 * brotli only in node:zlib's stream at 3-5× the CPU per response, for 5 % instead of 12 % of 100 KiB
 * of JSON (bench/edge/README.md); on a 2-core edge the CPU is the scarcer. None when neither weighs
 * more than 0, or when identity
 * (its own item, else `*`) weighs more: `gzip;q=0.5, identity` asks for the body as it is. Unencoded
 * is what such a client gets even when it refused identity too (no 406: the answer is still usable).
 * An item with a malformed weight is ignored.
 */
export function negotiate(acceptEncoding: string): Coding | undefined {
  let br = -1;
  let gzip = -1;
  let identity = -1;
  let any = -1;
  for (const item of acceptEncoding.split(",")) {
    const semi = item.indexOf(";");
    const name = (semi < 0 ? item : item.slice(0, semi)).trim().toLowerCase();
    if (name === "") continue;
    const q = semi < 0 ? 1 : weightOf(item.slice(semi + 1));
    if (q === undefined) continue;
    if (name === "br") br = Math.max(br, q);
    else if (name === "gzip" || name === "x-gzip") gzip = Math.max(gzip, q);
    else if (name === "identity") identity = Math.max(identity, q);
    else if (name === "*") any = Math.max(any, q);
  }
  if (br < 0) br = Math.max(any, 0);
  if (gzip < 0) gzip = Math.max(any, 0);
  // Unlisted, identity is acceptable but states no preference: it never outweighs a listed coding.
  if (identity < 0) identity = any;
  const best = br > gzip ? br : gzip;
  if (best === 0 || identity > best) return undefined;
  return br > gzip ? "br" : "gzip";
}

/** The q of `;q=0.5` (the weight part after the `;`), undefined when malformed. */
function weightOf(params: string): number | undefined {
  const param = params.trim();
  if (param.length < 2 || (param[0] !== "q" && param[0] !== "Q") || param[1] !== "=") return undefined;
  const value = param.slice(2).trim();
  return QVALUE.test(value) ? Number(value) : undefined;
}

const PENDING = Symbol("pending");
const pendingNow = Promise.resolve(PENDING);

/**
 * `body` encoded with `coding`, streamed: see the module note. `sizeHint` (the upstream's length, 0
 * when unknown) helps brotli size its window. A client that goes away cancels the upstream body.
 */
export function encode(body: ReadableStream<Uint8Array>, coding: Coding, sizeHint = 0): ReadableStream<Uint8Array> {
  // A known length is no live stream: see the module note.
  if (coding === "gzip" && sizeHint > 0) return body.pipeThrough(new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  const zip: Gzip | BrotliCompress =
    coding === "br"
      ? createBrotliCompress({
          params: {
            [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            ...(sizeHint > 0 ? { [constants.BROTLI_PARAM_SIZE_HINT]: sizeHint } : {}),
          },
        })
      : createGzip({ level: GZIP_LEVEL });
  const flushKind = coding === "br" ? constants.BROTLI_OPERATION_FLUSH : constants.Z_SYNC_FLUSH;
  const reader = body.getReader();
  let next: ReturnType<typeof reader.read> | undefined;
  let ended: Promise<void> | undefined;
  let unflushed = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        zip.on("data", (chunk: Uint8Array) => controller.enqueue(chunk));
        ended = new Promise((resolve) =>
          zip.once("end", () => {
            controller.close();
            resolve();
          }),
        );
        zip.once("error", (err) => {
          controller.error(err);
          void reader.cancel(err).catch(() => {});
        });
      },
      async pull(controller) {
        let read = next ?? reader.read();
        next = undefined;
        for (;;) {
          // Nothing more waiting from the upstream: flush what was written so it reaches the client now.
          if (unflushed && (await Promise.race([read, pendingNow])) === PENDING) {
            await new Promise<void>((resolve) => zip.flush(flushKind, () => resolve()));
            unflushed = false;
          }
          const { done, value } = await read;
          if (done) {
            zip.end();
            return ended;
          }
          await new Promise<void>((resolve, reject) => zip.write(value, (err) => (err ? reject(err) : resolve())));
          unflushed = true;
          read = reader.read();
          // The client has enough to read: stop here; its next read resumes (and flushes if need be).
          if ((controller.desiredSize ?? 0) <= 0) {
            next = read;
            return;
          }
        }
      },
      cancel(reason) {
        zip.destroy();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: HIGH_WATER, size: (chunk) => chunk?.byteLength ?? 0 },
  );
}
