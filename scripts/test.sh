#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs Bun, the dependencies, Chromium (for the
# Swagger UI check) and promtool (for the /metrics format check) when missing, builds the binaries
# the end-to-end tests run, then `bun test`.
# Ends with one line "N passed, N failed, N skipped". Extra arguments go to `bun test`.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/ensure-bun.sh" || exit 1
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian) for the docs UI test…" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi || exit 1
fi
if ! command -v openssl >/dev/null 2>&1 || ! command -v setpriv >/dev/null 2>&1; then
  # test/registry/address-pinning.test.ts makes TLS certificates with openssl; test/e2e/data-folder.test.ts
  # runs the binary as another uid with setpriv (util-linux).
  echo "installing openssl and util-linux (Debian) for the TLS and data-folder tests…" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq openssl util-linux >/dev/null; else sudo apt-get update -qq && sudo apt-get install -y -qq openssl util-linux >/dev/null; fi || exit 1
fi
if ! command -v promtool >/dev/null 2>&1; then
  # test/foundation/metrics.test.ts validates /metrics with Prometheus's own `promtool check metrics`.
  # Debian ships promtool only inside the `prometheus` package (19 MB download, ~96 MB installed), whose
  # postinst would also start the Prometheus server as a service: service starts are forbidden for the
  # install (policy-rc.d exit 101, as Debian's Docker images do) unless a policy is already in place,
  # and a server the install started anyway is stopped, so nothing listens on :9090 after the tests.
  echo "installing promtool (Debian package prometheus) for the metrics format test…" >&2
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  policy=/usr/sbin/policy-rc.d; own_policy=0; was_running=0
  pgrep -x prometheus >/dev/null 2>&1 && was_running=1
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | $sudo_ tee "$policy" >/dev/null && $sudo_ chmod +x "$policy" && own_policy=1; fi
  $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq prometheus >/dev/null
  installed=$?
  [ "$own_policy" = 1 ] && $sudo_ rm -f "$policy"
  [ "$installed" = 0 ] || exit 1
  if [ "$was_running" = 0 ] && pgrep -x prometheus >/dev/null 2>&1; then $sudo_ service prometheus stop >/dev/null 2>&1 || true; fi
fi
"$root/scripts/build.sh" || exit 1
report="$(mktemp)"
bun test --timeout 30000 --reporter=junit --reporter-outfile="$report" "$@"
rc=$?
bun scripts/test-summary.ts "$report"
rm -f "$report"
exit $rc
