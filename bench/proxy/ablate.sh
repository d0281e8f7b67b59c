#!/usr/bin/env bash
# Prices pieces of the proxy's per-request work: runs ablate.ts once per variant beside one upstream and
# measures, in interleaved wrk rounds, the JS (main) thread's user and system CPU per request, the whole
# process's CPU per request, and req/s. The main thread is what saturates first, so it is the figure to read.
#   bench/proxy/ablate.sh base= session=session sig=session,sig call=session,call
# ROUNDS (5), DUR (3s), CONN (50) tune it. Output: medians per variant.
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS=${ROUNDS:-5}; DUR=${DUR:-3s}; CONN=${CONN:-50}; base=${BASE_PORT:-19760}
tmp=$(mktemp -d); pids=(); targets=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
wait_up() { for _ in $(seq 1 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }
PORT=$base bun "${SHARED_DIR:-$root/../shared}/bench/backend-hello.ts" >/dev/null 2>&1 & pids+=($!)
wait_up "http://127.0.0.1:$base/skeleton-svc/hello"
port=$base
for v in "$@"; do
  port=$((port + 1))
  VARIANT=${v#*=} PORT=$port UPSTREAM="http://127.0.0.1:$base" bun "$root/bench/proxy/ablate.ts" >/dev/null 2>&1 & pids+=($!)
  targets+=("${v%%=*}:$!:http://127.0.0.1:$port/skeleton-svc/hello")
  wait_up "http://127.0.0.1:$port/skeleton-svc/hello"
done
for t in "${targets[@]}"; do wrk -t1 -c"$CONN" -d1s "${t#*:*:}" >/dev/null; done   # warm up
hz=$(getconf CLK_TCK)
main() { awk '{print $14, $15}' "/proc/$1/task/$1/stat"; }   # utime stime of the JS thread
all() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for r in $(seq 1 "$ROUNDS"); do
  for t in "${targets[@]}"; do
    name=${t%%:*}; rest=${t#*:}; pid=${rest%%:*}; url=${rest#*:}
    read -r u1 s1 < <(main "$pid"); a1=$(all "$pid")
    out=$(wrk -t1 -c"$CONN" -d"$DUR" "$url" 2>&1)
    read -r u2 s2 < <(main "$pid"); a2=$(all "$pid")
    n=$(echo "$out" | awk '/requests in/ {print $1}'); rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    echo "$name $(echo "($u2-$u1)*1000000/$hz/$n" | bc -l) $(echo "($s2-$s1)*1000000/$hz/$n" | bc -l) $(echo "($a2-$a1)*1000000/$hz/$n" | bc -l) $rps" >>"$tmp/results"
  done
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "variant   main-user  main-sys  process  (µs/request)   req/s"
for t in "${targets[@]}"; do
  name=${t%%:*}; col() { awk -v n="$name" -v c="$1" '$1==n {print $c}' "$tmp/results" | median; }
  printf '%-9s %9.2f %9.2f %8.2f %20.0f\n' "$name" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)"
done
