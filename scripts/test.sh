#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs Bun, the dependencies, Chromium (for the
# Swagger UI check), promtool (for the /metrics format check), PostgreSQL and pebble (the ACME test
# server) when missing, builds the
# binaries the end-to-end tests run, then `bun test` once per dialect in OB_TEST_DIALECTS: TEST_DB=sqlite,
# then TEST_DB=postgres against one throw-away server for the whole pass (scripts/postgres.sh; each
# test app gets tables of its own in it through OB_DB_PREFIX, test/helpers/dialect.ts).
# Ends with one line "N passed, N failed, N skipped" over every pass, naming each pass's failures when
# there are several. Extra arguments go to each `bun test`.
set -uo pipefail
# The dialects the suite runs on, in order: "sqlite", "postgres" or "sqlite postgres".
dialects="${OB_TEST_DIALECTS:-sqlite postgres}"
for dialect in $dialects; do
  case "$dialect" in sqlite | postgres) ;; *) echo "OB_TEST_DIALECTS: unknown dialect '$dialect' (sqlite, postgres)" >&2; exit 2 ;; esac
done
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
# The cluster tests start private servers on either pass (test/helpers/postgres.ts), so it is always installed.
"$root/scripts/postgres.sh" install || exit 1
# test/edge/acme.test.ts issues certificates from a private pebble (Let's Encrypt's ACME test server).
"$root/scripts/pebble.sh" install || exit 1
"$root/scripts/build.sh" || exit 1
reports=()
pg_dir=""
cleanup() {
  rm -f "${reports[@]#*=}"
  [ -n "$pg_dir" ] && "$root/scripts/postgres.sh" stop "$pg_dir"
}
trap cleanup EXIT
trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP
rc=0
for dialect in $dialects; do
  report="$(mktemp)"
  reports+=("$dialect=$report")
  if [ "$dialect" = postgres ] && [ -z "$pg_dir" ]; then
    # One server for the pass, removed on exit (and by its watchdog should this script be killed -9).
    exports="$("$root/scripts/postgres.sh" start --watch $$)" || exit 1
    eval "$exports"
    pg_dir="$TEST_POSTGRES_DIR"
  fi
  echo "== bun test on $dialect" >&2
  # The SQLite pass sees no shared server, so tests written for the PostgreSQL one run once, on its pass.
  if [ "$dialect" = sqlite ]; then
    env -u TEST_POSTGRES_URL -u TEST_POSTGRES_DIR TEST_DB=sqlite bun test --timeout 30000 --reporter=junit --reporter-outfile="$report" "$@"
  else
    TEST_DB=postgres bun test --timeout 30000 --reporter=junit --reporter-outfile="$report" "$@"
  fi
  status=$?
  [ "$rc" = 0 ] && rc=$status
done
bun scripts/test-summary.ts "${reports[@]}"
exit $rc
