#!/usr/bin/env bash
# Proxy benchmark against nginx/haproxy/caddy (../../../shared/bench/peer-proxies.sh, interleaved rounds):
# starts our server (from source, or BIN=dist/1backend) on OURS_PORT, registers the
# `skeleton-svc` account and an instance at the peer bench's upstream (127.0.0.1:19311), then runs the
# peer bench with OURS_URL. Request logging is off (OB_LOG_LEVEL=warn) as nginx's access_log is.
# Then the 1 GiB upload (RSS growth) and first-SSE-event latency benchmarks.
#   bench/proxy/run.sh            # ROUNDS, DUR, CONN pass through to the peer bench
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="${SHARED_DIR:-$root/../shared}"   # the steering folder beside the repository
peer="${PEER_BENCH:-$shared/bench/peer-proxies.sh}"
port="${OURS_PORT:-19500}"
data="$(mktemp -d)"
if [ -n "${BIN:-}" ]; then cmd=("$BIN"); else cmd=(bun "$root/src/main.ts"); fi
OB_SELF_URL="http://127.0.0.1:$port" OB_FOLDER="$data" OB_LOG_LEVEL=warn OB_HEALTH_INTERVAL=1s "${cmd[@]}" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
token=$(curl -sf -X POST "http://127.0.0.1:$port/user-svc/register" -H 'content-type: application/json' \
  -d '{"appHost":"localhost","slug":"skeleton-svc","password":"skeleton-svc-password","name":"skeleton"}' | bun -e 'console.log(JSON.parse(await Bun.stdin.text()).token.token)')
curl -sf -X PUT "http://127.0.0.1:$port/registry-svc/instance" -H "authorization: Bearer $token" \
  -H 'content-type: application/json' -d '{"url":"http://127.0.0.1:19311"}' >/dev/null || { echo "instance registration failed"; exit 1; }
echo "ours: ${cmd[*]} on :$port, skeleton-svc → 127.0.0.1:19311"
OURS_URL="http://127.0.0.1:$port/skeleton-svc/hello" "$peer"
echo "--- 1 GiB upload through the proxy (proxy process RSS)"
bun "$root/bench/proxy/upload.ts" 1
echo "--- first SSE event latency"
bun "$root/bench/proxy/sse.ts"
