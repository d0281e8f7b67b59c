/**
 * @module Bun macro: builds the console at bundle (and source-load) time and inlines the files into the
 * code, so `bun run src/main.ts`, in-process tests and the compiled binary serve the same bundle with no
 * separate build step and no files beside the binary. The bundler runs in a child process
 * (build-bundle.ts): a macro may not call Bun.build. Each file is inlined as base64, with its gzip
 * precompressed here once rather than per response.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";

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

/** The console's files, index.html first. */
export function embeddedConsole(): EmbeddedFile[] {
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
