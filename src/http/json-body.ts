/**
 * @module JSON request bodies for built-in endpoints, the one reader (wired by `onParse` in app.ts):
 * bounded by the configured size (413 beyond it, chunked bodies included), by nesting depth (400
 * `http.json_too_deep` past 32 levels, contract §2) and by the number of values (413
 * `http.json_too_many_values`), both checked by one linear scan of the text before `JSON.parse`, so
 * refusing any body costs time linear in its size and nothing downstream (parser, schema checks, error
 * messages) ever sees deep or huge structures. An empty body or `null` reads as `{}` (contract §2; the
 * JS client sends no body for optional ones); malformed JSON is a 400 with the error body.
 */
import { invalidJson, jsonTooDeep, jsonTooManyValues, payloadTooLarge } from "./errors";

/** Deepest nesting of arrays and objects a body may have (contract §2). */
export const MAX_JSON_DEPTH = 32;

/** The bounds a body must stay within. */
export interface JsonBodyLimits {
  /** Largest body in bytes (OB_BODY_LIMIT). */
  bytes: number;
  /** Most JSON values: array elements, object members and the containers themselves (OB_JSON_MAX_VALUES). */
  values: number;
}

/** Reads, bounds and parses a JSON body; throws the AppErrors above. */
export async function readJsonBody(request: Request, limits: JsonBodyLimits): Promise<unknown> {
  const declared = Number(request.headers.get("content-length"));
  if (declared > limits.bytes) throw payloadTooLarge(limits.bytes);
  // A declared length is held by HTTP framing, so the body is read in one call (about 10x cheaper
  // than iterating the stream, which matters at thousands of registrations/s); chunked bodies are capped as they stream.
  const text = request.headers.has("content-length") ? await readDeclared(request, limits.bytes) : await readCapped(request, limits.bytes);
  if (text.trim() === "") return {};
  assertJsonShape(text, limits.values);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidJson();
  }
  return value === null ? {} : value;
}

/**
 * One pass over `text` counting `[`/`{` nesting, and containers plus commas (each value but the first
 * of every container), outside strings; throws as soon as a bound is crossed. Malformed text is left
 * for `JSON.parse`: the scan only has to be right for valid JSON, where `"` opens and closes strings
 * and `\` escapes exactly the next character (RFC 8259 §7; a `\uXXXX` escape holds no `"` or `\`).
 * Why before parsing: what walks the parsed value recursively (TypeBox, Elysia's error messages)
 * overflows the stack on a 5,000-deep array in a field and is quadratic in the depth elsewhere; and
 * parsing 1 MiB of `{},{},…` alone takes ~100 ms of CPU, so the count of values is bounded too.
 */
export function assertJsonShape(text: string, maxValues: number, maxDepth = MAX_JSON_DEPTH): void {
  let depth = 0;
  let values = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Skip the string: to the next `"` not escaped (a `\` skips the character after it).
      for (i++; i < length; i++) {
        const s = text.charCodeAt(i);
        if (s === 92) i++;
        else if (s === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > maxDepth) throw jsonTooDeep(maxDepth);
      if (++values > maxValues) throw jsonTooManyValues(maxValues);
    } else if (c === 93 || c === 125) {
      if (--depth < 0) throw invalidJson();
    } else if (c === 44) {
      if (++values > maxValues) throw jsonTooManyValues(maxValues);
    }
  }
}

async function readDeclared(request: Request, limit: number): Promise<string> {
  const text = await request.text();
  if (Buffer.byteLength(text) > limit) throw payloadTooLarge(limit);
  return text;
}

async function readCapped(request: Request, limit: number): Promise<string> {
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw payloadTooLarge(limit);
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
