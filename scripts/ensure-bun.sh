#!/usr/bin/env bash
# Installs the pinned Bun (from npm) when missing or different, then the locked dependencies.
# Sourced by the other scripts; safe to run again (does nothing when everything is in place).
set -euo pipefail
BUN_VERSION=1.4.5
if ! command -v bun >/dev/null 2>&1 || [ "$(bun --version 2>/dev/null)" != "$BUN_VERSION" ]; then
  echo "installing bun@$BUN_VERSION from npm…" >&2
  npm install -g "bun@$BUN_VERSION" >&2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bun install --frozen-lockfile >&2
