/**
 * @module Builds the console (console/index.html and everything it imports) with Bun's bundler into
 * `<outdir>`: index.html plus one minified JS and one CSS file named `<name>-<hash>.<ext>`, referenced
 * as /console/assets/…. Run as a process (`bun build-bundle.ts <outdir>`) by bundle.macro.ts, because a
 * macro may not call Bun.build itself (the bundler would wait on itself).
 */
import { join } from "node:path";

/** Bundles the console into `outdir`; throws with the bundler's messages when it fails. */
export async function buildConsole(outdir: string): Promise<void> {
  const result = await Bun.build({
    entrypoints: [join(import.meta.dir, "../../../console/index.html")],
    outdir,
    minify: true,
    target: "browser",
    splitting: false,
    publicPath: "/console/assets/",
    naming: { entry: "[name].[ext]", chunk: "[name]-[hash].[ext]", asset: "[name]-[hash].[ext]" },
    define: { "process.env.NODE_ENV": '"production"' },
  });
  if (!result.success) throw new AggregateError(result.logs, `console build failed:\n${result.logs.join("\n")}`);
}

if (import.meta.main) {
  const outdir = process.argv[2];
  if (!outdir) throw new Error("usage: bun build-bundle.ts <outdir>");
  await buildConsole(outdir);
}
