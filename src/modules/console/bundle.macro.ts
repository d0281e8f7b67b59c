/**
 * @module Bun macro: builds the console at bundle (and source-load) time and inlines the files into the
 * code, so `bun run src/main.ts`, in-process tests and the compiled binary serve the same bundle with no
 * separate build step and no files beside the binary. The bundler runs in a child process
 * (build-bundle.ts): a macro may not call Bun.build. Each file is inlined as base64, with its gzip
 * precompressed here once rather than per response. The result is cached by the hash of its inputs
 * (node_modules/.cache/1backend-console/), so loading the app from source costs a build only after
 * the console changed (~0.3 s) rather than in every test process.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";

/** One built file: its name under /console/assets/ (or `index.html`), type and bytes (base64). */
export interface EmbeddedFile {
  name: string;
  type: string;
  body: string;
  gzip: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

const ROOT = resolve(import.meta.dir, "../../..");
/** Built bundles by the hash of their inputs: every test file that loads the app would otherwise rebuild it. */
const CACHE = join(ROOT, "node_modules/.cache/1backend-console");

/** The console's files, index.html first (from the cache when no input changed). */
export function embeddedConsole(): EmbeddedFile[] {
  const key = inputsHash();
  const cached = join(CACHE, `${key}.json`);
  try {
    return JSON.parse(readFileSync(cached, "utf8")) as EmbeddedFile[];
  } catch {
    // not built yet with these inputs
  }
  const files = build();
  mkdirSync(CACHE, { recursive: true });
  const partial = `${cached}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(files));
  renameSync(partial, cached); // atomic: concurrent test processes never read half a file
  prune();
  return files;
}

/** Keeps the newest few cached bundles (each edit of the console adds one). */
function prune(keep = 8): void {
  const entries = readdirSync(CACHE).filter((n) => n.endsWith(".json")).map((n) => ({ n, at: statSync(join(CACHE, n)).mtimeMs }));
  for (const { n } of entries.sort((a, b) => b.at - a.at).slice(keep)) rmSync(join(CACHE, n), { force: true });
}

/** Hash of what the bundle depends on: the console's sources, the build script, the lockfile and Bun's version. */
function inputsHash(): string {
  const hash = createHash("sha256").update(Bun.version);
  const add = (path: string) => hash.update(path).update(readFileSync(path));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else add(path);
    }
  };
  walk(join(ROOT, "console"));
  walk(join(ROOT, "src/contracts"));
  add(join(import.meta.dir, "build-bundle.ts"));
  add(join(import.meta.dir, "bundle.macro.ts"));
  add(join(ROOT, "bun.lock"));
  return hash.digest("hex").slice(0, 32);
}

function build(): EmbeddedFile[] {
  const outdir = mkdtempSync(join(tmpdir(), "ob-console-"));
  try {
    const built = Bun.spawnSync([process.execPath, join(import.meta.dir, "build-bundle.ts"), outdir], { stdout: "pipe", stderr: "pipe" });
    if (built.exitCode !== 0) throw new Error(`console build failed: ${built.stderr.toString()}${built.stdout.toString()}`);
    const names = readdirSync(outdir).sort((a, b) => (a === "index.html" ? -1 : b === "index.html" ? 1 : a.localeCompare(b)));
    return names.map((name) => {
      const bytes = readFileSync(join(outdir, name));
      return {
        name,
        type: TYPES[extname(name)] ?? "application/octet-stream",
        body: bytes.toString("base64"),
        gzip: Buffer.from(Bun.gzipSync(bytes, { level: 9 })).toString("base64"),
      };
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
