#!/usr/bin/env bash
# CPU time per proxied request, per target, in interleaved rounds. On a shared 2-core box req/s swings
# ±15 % run to run; the proxy process's own CPU (utime+stime from /proc/<pid>/stat, before/after a
# fixed wrk run) divided by the requests it served is far steadier, so A/B decisions use this.
#   bench/proxy/cpu.sh                       # nginx, bare fetch proxy, module alone, full server
#   BIN=dist/1backend bench/proxy/cpu.sh     # full server from the built binary instead of source
#   MODULES="a=/tmp/copy-a b=/tmp/copy-b" bench/proxy/cpu.sh   # extra: harness.ts of other source trees
#   SERVERS="a=/tmp/copy-a b=/tmp/b/1backend" bench/proxy/cpu.sh # extra: full servers (source tree or binary)
# ROUNDS (5), DUR (5s), CONN (50), BASE_PORT (19710) tune it; NGINX=0 / SERVER=0 leave those out;
# DELAY_MS=8 paces the load (see below). Output: one line per run, then medians.
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS=${ROUNDS:-5}; DUR=${DUR:-5s}; CONN=${CONN:-50}; base=${BASE_PORT:-19710}
up=$base; tick=$(getconf CLK_TCK); tmp=$(mktemp -d); pids=(); targets=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
start() { "$@" >"$tmp/log.$port" 2>&1 & pids+=($!); }   # start <cmd...> (uses $port); sets $!
wait_up() { for _ in $(seq 1 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }

PORT=$up bun "${SHARED_DIR:-$root/../shared}/bench/backend-hello.ts" >/dev/null 2>&1 & pids+=($!)
wait_up "http://127.0.0.1:$up/skeleton-svc/hello"
if [ "${NGINX:-1}" = 1 ] && command -v nginx >/dev/null; then
  port=$((base + 1))
  cat >"$tmp/nginx.conf" <<NG
worker_processes 1; pid $tmp/nginx.pid; error_log $tmp/nginx.err; daemon off;
events { worker_connections 4096; }
http { access_log off; upstream b { server 127.0.0.1:$up; keepalive 64; }
  server { listen 127.0.0.1:$port; location / { proxy_pass http://b; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
NG
  start nginx -c "$tmp/nginx.conf" -p "$tmp"; master=$!
  wait_up "http://127.0.0.1:$port/skeleton-svc/hello"
  targets+=("nginx:$(pgrep -P "$master" | head -1):http://127.0.0.1:$port/skeleton-svc/hello")
fi
port=$((base + 2)); start env PORT=$port UPSTREAM="http://127.0.0.1:$up" bun "$root/bench/proxy/ablate.ts"
targets+=("bare:$!:http://127.0.0.1:$port/skeleton-svc/hello")
port=$((base + 3)); start env PORT=$port UPSTREAM="http://127.0.0.1:$up" bun "$root/bench/proxy/harness.ts"
targets+=("module:$!:http://127.0.0.1:$port/skeleton-svc/hello")
n=5
for m in ${MODULES:-}; do
  port=$((base + n)); n=$((n + 1))
  start env PORT=$port UPSTREAM="http://127.0.0.1:$up" bun "${m#*=}/bench/proxy/harness.ts"
  targets+=("${m%%=*}:$!:http://127.0.0.1:$port/skeleton-svc/hello")
done
# start_server <name> <port> <cmd...>: a full server with `skeleton-svc` registered at the upstream.
start_server() {
  local name=$1 sport=$2; shift 2
  local data="$tmp/server-$name"; mkdir -p "$data"; port=$sport
  start env OB_SELF_URL="http://127.0.0.1:$sport" OB_FOLDER="$data" OB_LOG_LEVEL=warn OB_HEALTH_INTERVAL=1s "$@"
  local pid=$!
  wait_up "http://127.0.0.1:$sport/health"
  local token
  token=$(curl -sf -X POST "http://127.0.0.1:$sport/user-svc/register" -H 'content-type: application/json' \
    -d '{"appHost":"localhost","slug":"skeleton-svc","password":"skeleton-svc-password","name":"skeleton"}' | bun -e 'console.log(JSON.parse(await Bun.stdin.text()).token.token)')
  curl -sf -X PUT "http://127.0.0.1:$sport/registry-svc/instance" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -d "{\"url\":\"http://127.0.0.1:$up\"}" >/dev/null || { echo "instance registration failed"; exit 1; }
  wait_up "http://127.0.0.1:$sport/skeleton-svc/hello"
  targets+=("$name:$pid:http://127.0.0.1:$sport/skeleton-svc/hello")
}
if [ "${SERVER:-1}" = 1 ]; then
  if [ -n "${BIN:-}" ]; then start_server server $((base + 4)) "$BIN"; else start_server server $((base + 4)) bun "$root/src/main.ts"; fi
fi
for m in ${SERVERS:-}; do   # name=<source tree> or name=<built binary>
  if [ -f "${m#*=}" ]; then start_server "${m%%=*}" $((base + n)) "${m#*=}"; else start_server "${m%%=*}" $((base + n)) bun "${m#*=}/src/main.ts"; fi
  n=$((n + 1))
done

# DELAY_MS paces each connection (wrk's delay()): below saturation every target serves about the same
# rate, so batching and contention, which change CPU per request, are alike for all.
pace=(); if [ -n "${DELAY_MS:-}" ]; then echo "function delay() return $DELAY_MS end" >"$tmp/pace.lua"; pace=(-s "$tmp/pace.lua"); fi
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, clock ticks
for t in "${targets[@]}"; do wrk -t1 -c"$CONN" -d1s "${t#*:*:}" >/dev/null; done   # warm up (JIT, pools)
for r in $(seq 1 "$ROUNDS"); do
  for t in "${targets[@]}"; do
    name=${t%%:*}; rest=${t#*:}; pid=${rest%%:*}; url=${rest#*:}
    before=$(cpu "$pid"); out=$(wrk -t1 -c"$CONN" -d"$DUR" "${pace[@]}" "$url" 2>&1); after=$(cpu "$pid")
    reqs=$(echo "$out" | awk '/requests in/ {print $1}'); rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    bad=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    us=$(echo "($after - $before) * 1000000 / $tick / $reqs" | bc -l)
    printf 'round=%s %-8s cpu_us_per_req=%.2f rps=%s non2xx=%s\n' "$r" "$name" "$us" "$rps" "${bad:-0}" | tee -a "$tmp/results"
  done
done
echo "--- medians: CPU µs per request (proxy process), req/s"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for t in "${targets[@]}"; do
  name=${t%%:*}
  us=$(awk -v n="$name" '$2==n {split($3,a,"="); print a[2]}' "$tmp/results" | median)
  rps=$(awk -v n="$name" '$2==n {split($4,a,"="); print a[2]}' "$tmp/results" | median)
  # Round noise moves every target alike, so the steadiest figure is the per-round excess over `bare`.
  extra=$(awk -v n="$name" '{split($3,a,"="); c[$1" "$2]=a[2]} END {for (k in c) {split(k,p," "); if (p[2]==n && (p[1]" bare") in c) print c[k]-c[p[1]" bare"]}}' "$tmp/results" | median)
  printf '%-8s %7.2f µs/req  %9s req/s  over bare (per-round median) %+6.2f µs\n' "$name" "$us" "$rps" "${extra:-0}"
done
