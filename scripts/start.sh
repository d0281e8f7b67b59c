#!/usr/bin/env bash
# Starts the server from source on the embedded SQLite default (./.data/1backend.db), installing Bun
# and dependencies first when needed. Configuration: OB_* variables (see `bun src/main.ts --help`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/ensure-bun.sh"
cd "$root"
exec bun src/main.ts "$@"
