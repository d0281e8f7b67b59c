#!/usr/bin/env bash
# Let's Encrypt's ACME test server for the edge's ACME tests (issue 13): Debian's `pebble` package,
# which ships `pebble` (an RFC 8555 server that really validates HTTP-01 challenges) and
# `pebble-challtestsrv` (its mock DNS, which the tests point at 127.0.0.1 for every name). The tests
# start and stop their own private pair on loopback ports (test/edge/acme-pebble.ts); this only
# installs the package.
#
#   scripts/pebble.sh install    install Debian's `pebble` when `pebble` or `pebble-challtestsrv` is missing
#
# The package has no service and no postinst that starts anything, so unlike PostgreSQL nothing needs
# stopping after the install.
set -uo pipefail

log() { echo "pebble.sh: $*" >&2; }

install_pebble() {
  command -v pebble >/dev/null 2>&1 && command -v pebble-challtestsrv >/dev/null 2>&1 && return 0
  log "installing pebble (Debian) for the ACME tests…"
  local sudo_=""
  [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq && $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pebble >/dev/null || return 1
  command -v pebble >/dev/null 2>&1 && command -v pebble-challtestsrv >/dev/null 2>&1
}

case "${1:-}" in
  install) install_pebble ;;
  *) echo "usage: scripts/pebble.sh install" >&2; exit 2 ;;
esac
