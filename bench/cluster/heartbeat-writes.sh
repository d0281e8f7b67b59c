#!/usr/bin/env bash
# Database writes/s with 10,000 heartbeating instances on SQLite and on PostgreSQL, interleaved in one
# run: bench/registry/heartbeat-writes.ts (in process, fake clock; it counts rows and statements at
# database.batch) once per dialect and OB_HEARTBEAT_WRITE_INTERVAL, against one private PostgreSQL
# (scripts/postgres.sh run: removed at exit). Arguments pass through to heartbeat-writes.ts.
#   bench/cluster/heartbeat-writes.sh [--instances 10000] [--seconds 130] [--measure 60]
#   INTERVALS="default 5s" bench/cluster/heartbeat-writes.sh      # the intervals to run ("default" = unset)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ $# -gt 0 ] || set -- --seconds 130 --measure 60   # the 1 m write phases repeat every 60 s; 70 s of warm-up
if [ -z "${TEST_POSTGRES_URL:-}" ]; then exec "$root/scripts/postgres.sh" run "$0" "$@"; fi
echo "heartbeat writes: code $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "of $root (no git)"), load average $(cut -d' ' -f1-2 /proc/loadavg), $(date -u +%FT%RZ)"
for interval in ${INTERVALS:-default 5s}; do
  for db in sqlite postgres; do
    if [ "$interval" = default ]; then
      env -u OB_HEARTBEAT_WRITE_INTERVAL TEST_DB="$db" bun "$root/bench/registry/heartbeat-writes.ts" "$@"
    else
      env TEST_DB="$db" OB_HEARTBEAT_WRITE_INTERVAL="$interval" bun "$root/bench/registry/heartbeat-writes.ts" "$@"
    fi
  done
done
