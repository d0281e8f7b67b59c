#!/usr/bin/env bash
# Builds the SDK package into sdk/dist: one ESM bundle for Node.js >= 20 and Bun (`bun build`, with jose
# and TypeBox bundled in so the package has no runtime dependencies) and its .d.ts declarations (`tsc`, TS 7).
# scripts/build.sh calls it, and so does `npm pack` in sdk/ (prepack).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/sdk"
# Two builds at once (build.sh and a test's npm pack) would write one folder: take turns.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/1backend-sdk-build.lock"
  flock 9
fi
out="$(mktemp -d "$root/sdk/.dist-XXXXXX")"
trap 'rm -rf "$out"' EXIT
bun build index.ts --target=node --format=esm --outfile="$out/index.js" >/dev/null
"$root/node_modules/.bin/tsc" -p tsconfig.json --outDir "$out/types"
# rootDir is the repository (the SDK imports src/contracts): ship the SDK's own declarations, flat. They
# must not name a contract or TypeBox: the package has no dependencies, so a consumer could not resolve them.
mv "$out"/types/sdk/*.d.ts "$out"/
rm -rf "$out/types"
if grep -lE "from \"(\.\./|@sinclair/)" "$out"/*.d.ts; then
  echo "build-sdk: the declarations above import a contract or TypeBox; export the SDK's own types instead" >&2
  exit 1
fi
# Swap the finished folder in, so a reader (npm pack) never sees a half-written one.
rm -rf dist.old
if [ -d dist ]; then mv dist dist.old; fi
mv "$out" dist
chmod 755 dist
rm -rf dist.old
