#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs Bun, the dependencies and Chromium (for the
# Swagger UI check) when missing, builds the binaries the end-to-end tests run, then `bun test`.
# Ends with one line "N passed, N failed, N skipped". Extra arguments go to `bun test`.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/ensure-bun.sh" || exit 1
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian) for the docs UI test…" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi || exit 1
fi
"$root/scripts/build.sh" || exit 1
report="$(mktemp)"
bun test --timeout 30000 --reporter=junit --reporter-outfile="$report" "$@"
rc=$?
bun scripts/test-summary.ts "$report"
rm -f "$report"
exit $rc
