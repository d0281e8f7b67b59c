/**
 * @module The SDK as a user gets it: `npm pack` in sdk/ (which builds it), the tarball installed with npm
 * (offline) into a project outside the repo, and the example of sdk/README.md, copied verbatim, run
 * under Node.js and under Bun against the compiled server and called through its proxy. A TypeScript
 * project with Node's module rules type-checks against the installed declarations.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startBinary, type BinaryServer } from "../helpers/binary";
import { stopGracefully, waitForLine } from "../helpers/child-process";
import { tempDir, type TempDir } from "../helpers/temp-dir";
import { fake1Backend } from "./fake-1backend";

const SDK = resolve(import.meta.dir, "../../sdk");
const TSC = resolve(import.meta.dir, "../../node_modules/.bin/tsc");
const NODE = Bun.which("node");
const STEP_TIMEOUT = 60_000;

let dir: TempDir;
let app: string;
let server: BinaryServer;
let packed: { filename: string; files: { path: string }[] };

/** Runs a command to completion; throws with its output when it fails. */
async function run(cmd: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const proc = Bun.spawn(cmd, { cwd, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir.path, ...env }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited with ${code}:\n${out}\n${err}`);
  return out;
}

/** The first ```js block of sdk/README.md after "## A service in one file": what a user copies. */
function readmeExample(): string {
  const readme = readFileSync(join(SDK, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## A service in one file"));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error("sdk/README.md has no js example under '## A service in one file'");
  return match[1]!;
}

beforeAll(async () => {
  dir = tempDir("1backend-sdk-package-");
  app = join(dir.path, "app");
  mkdirSync(app);
  mkdirSync(join(dir.path, "server"));
  const npmEnv = { npm_config_cache: join(dir.path, ".npm"), npm_config_update_notifier: "false" };
  packed = (JSON.parse(await run(["npm", "pack", "--json", "--pack-destination", dir.path], SDK, npmEnv)) as (typeof packed)[])[0]!;
  // An empty folder, as in the README (no package.json); --offline: the tarball is all there is, so an
  // SDK needing anything from a registry fails here.
  await run(["npm", "install", "--offline", "--no-audit", "--no-fund", join(dir.path, packed.filename)], app, npmEnv);
  writeFileSync(join(app, "service.mjs"), readmeExample());
  server = await startBinary({ folder: join(dir.path, "server"), env: { OB_ADMIN_PASSWORD: "sdk-package-admin" } });
}, STEP_TIMEOUT);

afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
  dir?.[Symbol.dispose]();
}, STEP_TIMEOUT);

/** Starts the README's service with `runtime` in a shell that also exported the server's OB_SELF_URL. */
async function runExample(runtime: string, serverUrl = server.url, home = join(dir.path, "home")) {
  const proc = Bun.spawn([runtime, "service.mjs"], {
    cwd: app,
    // HOME is shared by both runtimes: the second run logs in with the password the first one kept.
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, OB_URL: serverUrl, SELF_URL: "http://127.0.0.1:0", OB_SELF_URL: serverUrl },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const ready = await waitForLine(proc, lines, "registered with", `service.mjs under ${runtime}`, 30_000);
  return { proc, lines, ready };
}

const hello = async () => {
  const r = await fetch(`${server.url}/my-svc/hello`);
  return { status: r.status, body: await r.json() };
};

describe("the SDK package", () => {
  test("npm pack ships built JavaScript, type declarations, README and package.json — no TypeScript source, no dependencies", () => {
    const paths = packed.files.map((f) => f.path).sort();
    expect(paths.filter((p) => !/^(README\.md|package\.json|dist\/index\.js|dist\/[a-z-]+\.d\.ts)$/.test(p))).toEqual([]);
    expect(paths).toContain("dist/index.js");
    expect(paths).toContain("dist/index.d.ts");
    const installed = JSON.parse(readFileSync(join(app, "node_modules/@1backend-bun/sdk/package.json"), "utf8"));
    expect({ type: installed.type, exports: installed.exports, dependencies: installed.dependencies, engines: installed.engines }).toEqual({
      type: "module",
      exports: { ".": { types: "./dist/index.d.ts", import: "./dist/index.js" }, "./package.json": "./package.json" },
      dependencies: undefined,
      engines: { node: ">=20" },
    });
    expect(readdirSync(join(app, "node_modules")).filter((name) => !name.startsWith("."))).toEqual(["@1backend-bun"]);
  });

  for (const [name, runtime] of [["Node.js", NODE], ["Bun", process.execPath]] as const) {
    test(`the README example under ${name}: listens on its SELF_URL, registers, answers through the server, deregisters on SIGTERM`, async () => {
      if (!runtime) throw new Error("node is not on PATH");
      if (name === "Node.js") expect(Number((await run([runtime, "--version"], app)).slice(1).split(".")[0])).toBeGreaterThanOrEqual(20);
      const { proc, lines, ready } = await runExample(runtime);
      try {
        const selfUrl = /listening on (\S+),/.exec(ready)?.[1] ?? "";
        expect(selfUrl).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
        expect(ready).toContain(`registered with ${server.url}`);
        expect(await hello()).toEqual({ status: 200, body: { hello: "world" } });
      } finally {
        expect({ code: await stopGracefully(proc), lines: lines.filter((l) => /error|fail/i.test(l)) }).toEqual({ code: 0, lines: [] });
      }
      expect(await hello()).toEqual({ status: 404, body: { error: "no instances found", code: "proxy.no_instances" } });
    }, STEP_TIMEOUT);
  }

  test("the README example listens before it registers: its URL accepts connections when the server first hears of it", async () => {
    await using fake = await fake1Backend({ checkListening: true });
    const { proc, ready } = await runExample(NODE ?? process.execPath, fake.url, join(dir.path, "home-fake"));
    const selfUrl = /listening on (\S+),/.exec(ready)?.[1];
    expect(fake.registrations[0]).toEqual({ url: selfUrl!, listening: true });
    expect(await stopGracefully(proc)).toBe(0);
    expect(fake.instances.size).toBe(0);
  }, STEP_TIMEOUT);

  test("a TypeScript project (module NodeNext, strict) type-checks against the installed declarations", async () => {
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
      compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", lib: ["ES2023", "DOM", "ESNext.Disposable"], types: [], strict: true, noEmit: true },
      files: ["check.mts"],
    }));
    writeFileSync(join(app, "check.mts"), [
      `import { ErrorCodes, startService, type Caller, type Service } from "@1backend-bun/sdk";`,
      `const svc: Service = await startService({ slug: "my-svc", selfUrl: "http://127.0.0.1:9311" });`,
      `const handler: (request: Request) => Promise<Response> = svc.auth.guard((_req, caller: Caller) => Response.json({ slug: caller.slug }));`,
      `const code: "user.missing_token" = ErrorCodes.missingToken;`,
      // Fails to compile if the declarations did not resolve (everything would be `any`).
      `// @ts-expect-error slug is required`,
      `await startService({});`,
      `export { handler, code };`,
    ].join("\n"));
    await run([TSC, "-p", "tsconfig.json"], app);
  });
});
