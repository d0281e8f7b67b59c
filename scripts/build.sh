#!/usr/bin/env bash
# Builds the release executables: dist/1backend (server) and, when present, dist/oo (CLI).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mkdir -p dist
# --bytecode (ESM, for top-level await) halves start-to-ready: the runtime skips parsing the bundle.
bun build --compile --minify --bytecode --format=esm src/main.ts --outfile dist/1backend
# oo too: commander and yaml made its bundle ~185 KB; bytecode keeps its start-up at the old ~40 ms of CPU.
if [ -f cli/main.ts ]; then bun build --compile --minify --bytecode --format=esm cli/main.ts --outfile dist/oo; fi
# The SDK package (sdk/dist: ESM + type declarations), which test/sdk/package.test.ts packs and installs.
"$root/scripts/build-sdk.sh"
