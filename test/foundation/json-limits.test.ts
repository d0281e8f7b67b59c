/**
 * Pathological JSON bodies (contract §2 "JSON"): nesting past 32 levels is refused with 400
 * `http.json_too_deep` before parsing, on every operation that reads a body, anonymous or not; bodies
 * with more values than OB_JSON_MAX_VALUES get 413 before parsing; wide wrong-typed bodies at the size
 * limit get 400 naming the first bad field, never a 500; and refusing any of these costs little CPU.
 */
import { beforeAll, afterAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { assertJsonShape } from "../../src/http/json-body";
import { testApp, type TestApp } from "../helpers/app";
import { testServer } from "../helpers/server";
import { adminToken } from "../user/helpers";

const LIMIT = 1024 * 1024;
const MAX_VALUES = 20_000;

const deepArray = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
/** `prefix` + as many `unit`s (comma-separated) as fit in `bytes` + `suffix`. */
function fill(prefix: string, unit: string, suffix: string, bytes = LIMIT): string {
  const n = Math.floor((bytes - prefix.length - suffix.length + 1) / (unit.length + 1));
  return prefix + Array(n).fill(unit).join(",") + suffix;
}

/** An object of unknown keys `"k0":1,"k1":1,…` filling the limit. */
function manyKeys(): string {
  const parts: string[] = [];
  for (let size = 2, i = 0; size < LIMIT - 20; i++) {
    const part = `"k${i}":1`;
    parts.push(part);
    size += part.length + 1;
  }
  return `{${parts.join(",")}}`;
}

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await testApp();
  admin = await adminToken(t);
});
afterAll(() => t[Symbol.asyncDispose]());

/** Operations exercised by shape: anonymous ones first, then ones that need a token. */
const OPERATIONS = [
  { method: "POST", path: "/user-svc/login", anonymous: true },
  { method: "POST", path: "/user-svc/register", anonymous: true },
  { method: "POST", path: "/registry-svc/echo", anonymous: true },
  { method: "PUT", path: "/registry-svc/instance", anonymous: false },
  { method: "PUT", path: "/user-svc/self", anonymous: false },
  { method: "PUT", path: "/user-svc/permits", anonymous: false },
];

const send = (method: string, path: string, body: string, token?: string) => t.json(method, path, { body, token });
const TOO_DEEP = { error: "request body nests arrays or objects deeper than 32 levels", code: "http.json_too_deep" };

describe("nesting depth", () => {
  for (const op of OPERATIONS) {
    for (const [shape, make] of [["arrays", deepArray], ["objects", deepObject]] as const) {
      test(`${op.method} ${op.path}: ${shape} 33, 5,000 and ~500,000 deep are 400 http.json_too_deep${op.anonymous ? " (anonymous)" : ""}`, async () => {
        // ~500,000 levels of arrays fit in 1 MiB; objects take 6 bytes a level, so ~170,000 of them.
        const huge = shape === "arrays" ? 500_000 : 170_000;
        for (const depth of [33, 5_000, huge]) {
          const body = make(depth);
          expect(body.length).toBeLessThanOrEqual(LIMIT);
          for (const token of op.anonymous ? [undefined] : [undefined, admin]) {
            const r = await send(op.method, op.path, body, token);
            expect({ depth, status: r.status, body: r.body }).toEqual({ depth, status: 400, body: TOO_DEEP });
          }
        }
      });
    }
  }

  test("32 levels are accepted where the schema allows: echoed back, and as an ignored field of a registration", async () => {
    for (const body of [deepArray(32), deepObject(32)]) {
      const r = await t.request("POST", "/registry-svc/echo", { body });
      expect(r.status).toBe(200);
      expect((await r.text()).trim()).toBe(body);
    }
    const registered = await send("PUT", "/registry-svc/instance", JSON.stringify({ url: "http://127.0.0.1:9311", extra: JSON.parse(deepArray(31)) }), admin);
    expect(registered.status).toBe(201);
  });

  test("every operation that takes a body reads it through the one reader (33 deep is refused everywhere)", async () => {
    const routes = createApp(t.deps).routes.filter((r) => r.method !== "GET" && r.method !== "HEAD" && r.method !== "OPTIONS");
    expect(routes.length).toBeGreaterThan(30);
    const wrong: string[] = [];
    for (const route of routes) {
      const path = route.path.replace(/:\w+/g, "x").replace(/\*$/, "x");
      const r = await send(route.method, path, deepObject(33), admin);
      if (r.status !== 400 || r.body?.code !== "http.json_too_deep") wrong.push(`${route.method} ${route.path} → ${r.status} ${JSON.stringify(r.body)}`);
    }
    expect(wrong).toEqual([]);
  });

  test("brackets inside strings do not count, and an escaped quote does not end a string", () => {
    expect(() => assertJsonShape(JSON.stringify({ a: "[".repeat(100), b: '\\"' + "{".repeat(100) }), MAX_VALUES)).not.toThrow();
    expect(() => assertJsonShape(`{"a":"\\\\"}` + "", MAX_VALUES)).not.toThrow();
    // After `"\\"` the string is over: the brackets that follow count.
    expect(() => assertJsonShape(`["\\\\",${deepArray(32)}]`, MAX_VALUES)).toThrow("deeper than 32");
    expect(() => assertJsonShape(`["\\"${deepArray(40)}"]`, MAX_VALUES)).not.toThrow();
  });
});

describe("wide and long bodies at the size limit", () => {
  // Numbers of 60 digits: ~17,000 wrong-typed elements fill 1 MiB while staying under the value bound.
  const longNumber = "1".repeat(60);
  test("wrong-typed wide arrays at the limit give 400 naming the first bad field, never a 500", async () => {
    const cases = [
      { path: "/user-svc/login", method: "POST", body: fill('{"appHost":[', longNumber, "]}"), error: "invalid field appHost: Expected string" },
      { path: "/registry-svc/nodes", method: "POST", body: fill('{"ids":[', longNumber, "]}"), error: "invalid field ids: Expected array length to be less or equal to 1000" },
      { path: "/registry-svc/instance", method: "PUT", body: fill('{"url":' + "[".repeat(31), longNumber, "]".repeat(31) + "}"), error: "invalid field url: Expected string" },
      { path: "/user-svc/permits", method: "PUT", body: fill('{"permits":[', `"${"p".repeat(58)}"`, "]}"), error: "invalid field permits: Expected array length to be less or equal to 500" },
      { path: "/user-svc/self", method: "PUT", body: fill('{"labels":{"a":[', longNumber, "]}}"), error: "invalid field labels.a: Expected string" },
    ];
    for (const c of cases) {
      expect(c.body.length).toBeGreaterThan(LIMIT - 100);
      expect(c.body.length).toBeLessThanOrEqual(LIMIT);
      const r = await send(c.method, c.path, c.body, admin);
      expect({ path: c.path, status: r.status, body: r.body }).toEqual({ path: c.path, status: 400, body: { error: c.error, code: "http.invalid_request" } });
    }
  });

  test("more values than OB_JSON_MAX_VALUES is 413 http.json_too_many_values, before parsing", async () => {
    const tooMany = { error: `request body holds more than ${MAX_VALUES} JSON values`, code: "http.json_too_many_values" };
    for (const body of [fill('{"ids":[', "1", "]}"), fill("[", "{}", "]"), manyKeys()]) {
      for (const [method, path] of [["POST", "/user-svc/login"], ["POST", "/registry-svc/echo"], ["POST", "/registry-svc/nodes"]] as const) {
        const r = await send(method, path, body, admin);
        expect({ path, status: r.status, body: r.body }).toEqual({ path, status: 413, body: tooMany });
      }
    }
    const fits = JSON.stringify({ ids: Array(1000).fill("n") });
    expect((await send("POST", "/registry-svc/nodes", fits, admin)).status).toBe(200);
  });

  test("OB_JSON_MAX_VALUES sets the bound; 0 lifts it", async () => {
    await using small = await testApp({ env: { OB_JSON_MAX_VALUES: "10" } });
    expect((await small.json("POST", "/registry-svc/echo", { body: "[1,2,3,4,5,6,7,8,9,10]" })).status).toBe(200);
    expect((await small.json("POST", "/registry-svc/echo", { body: "[1,2,3,4,5,6,7,8,9,10,11]" })).body.code).toBe("http.json_too_many_values");
    await using unbounded = await testApp({ env: { OB_JSON_MAX_VALUES: "0" } });
    expect((await unbounded.json("POST", "/registry-svc/echo", { body: JSON.stringify(Array(30_000).fill(1)) })).status).toBe(200);
  });

  test("long strings and many escapes in a field are refused naming it", async () => {
    const long = `{"appHost":"test.app","slug":"${"a".repeat(LIMIT - 60)}","password":"x"}`;
    const escapes = `{"url":"${"\\u0041".repeat(Math.floor((LIMIT - 20) / 6))}"}`;
    expect((await send("POST", "/user-svc/login", long)).body).toEqual({ error: "invalid field slug: Expected string length less or equal to 128", code: "http.invalid_request" });
    expect((await send("PUT", "/registry-svc/instance", escapes, admin)).body).toEqual({ error: "invalid field url: Expected string length less or equal to 2048", code: "http.invalid_request" });
  });
});

describe("CPU per refused body", () => {
  // Bound: 50 ms of process CPU (all threads, GC included) per refused 1 MiB body. The work left is
  // linear: encoding and decoding (the client is this process too), one scan, and parsing at most
  // 20,000 values: 0.4-10 ms here on a loaded 2-core machine, so even a CI runner several times
  // slower stays under it; before the fix four of these shapes cost 85-750 ms each (Elysia
  // pretty-printing the body into its error, JSON.parse of 350k values). The fastest of three runs
  // after a warm-up keeps a GC pause or a JIT compile out of it; neither makes the old code fast.
  const shapes: Record<string, string> = {
    "deep arrays": deepArray(500_000),
    "deep objects": deepObject(170_000),
    "30-deep wide wrong-typed array of long numbers": fill('{"appHost":' + "[".repeat(30), "1".repeat(60), "]".repeat(30) + "}"),
    "30-deep wide array of tiny values": fill('{"appHost":' + "[".repeat(30), "1", "]".repeat(30) + "}"),
    "wide array of tiny values": fill('{"appHost":[', "1", "]}"),
    "wide array of empty objects": fill('{"appHost":[', "{}", "]}"),
    "long string": `{"appHost":"${"a".repeat(LIMIT - 20)}"}`,
    "many escapes": `{"appHost":"${"\\n".repeat((LIMIT - 20) / 2)}"}`,
  };
  for (const [method, path, anonymous] of [["POST", "/user-svc/login", true], ["PUT", "/registry-svc/instance", false]] as const) {
    test(`${method} ${path}: every 1 MiB pathological body is refused in < 50 ms of CPU${anonymous ? " (anonymous)" : ""}`, async () => {
      const costs: Record<string, number> = {};
      for (const [name, body] of Object.entries(shapes)) {
        const token = anonymous ? undefined : admin;
        const runs: number[] = [];
        for (let i = 0; i < 4; i++) {
          const before = process.cpuUsage();
          const r = await send(method, path, body.replace('"appHost"', path.includes("instance") ? '"url"' : '"appHost"'), token);
          const used = process.cpuUsage(before);
          expect(r.status).toBeOneOf([400, 413]);
          if (i > 0) runs.push((used.user + used.system) / 1000);
        }
        costs[name] = Math.min(...runs);
      }
      const over = Object.entries(costs).filter(([, ms]) => ms >= 50);
      expect({ over, costs }).toEqual({ over: [], costs });
    });
  }
});

describe("over a real socket", () => {
  test("bodies framed by Content-Length or chunked are bounded the same way, and /health still answers", async () => {
    await using server = await testServer();
    const deep = new TextEncoder().encode(deepObject(170_000));
    const tooMany = new TextEncoder().encode(fill('{"appHost":[', "1", "]}"));
    const post = (body: Uint8Array | ReadableStream<Uint8Array>) => fetch(`${server.url}/user-svc/login`, { method: "POST", body, headers: { "content-type": "application/json" } });
    const chunked = (bytes: Uint8Array) =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < bytes.length; i += 64 * 1024) c.enqueue(bytes.subarray(i, i + 64 * 1024));
          c.close();
        },
      });
    const answers = await Promise.all([post(deep), post(chunked(deep)), post(tooMany), post(chunked(tooMany)), fetch(`${server.url}/health`)]);
    expect(await Promise.all(answers.map(async (r) => [r.status, ((await r.json()) as { code?: string; status?: string }).code ?? "ok"]))).toEqual([
      [400, "http.json_too_deep"],
      [400, "http.json_too_deep"],
      [413, "http.json_too_many_values"],
      [413, "http.json_too_many_values"],
      [200, "ok"],
    ]);
  });
});
