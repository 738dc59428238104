#!/usr/bin/env bash
# Load test of `phas predictor` with wrk: POST /predict with the original
# clients' body, 16 connections, after a 5 s warm-up. Prints wrk's latency
# report, the server's idle, peak (VmHWM) and final RSS, and its request
# counters (to show no non-200 answers).
#
#   bench/predictor_wrk.sh [duration=30s] [connections=16] [wrk_threads=2] [server_threads=1]
#
# MODEL: the bundle served (default data/models/seed-original, the original's,
# which the figures in docs/benchmarks.md were measured with).
# PIN=1 (default on >= 2 CPUs): the server runs on the last CPU and wrk on the
# others (taskset), as a load generator on another machine would; on a 2-core
# machine that keeps wrk and the server from preempting each other, which is
# what dominates p99 otherwise. PIN=0 runs both unpinned.
set -euo pipefail
cd "$(dirname "$0")/.."
PHAS=${PHAS:-build/phas}
DUR=${1:-30s}; CONNS=${2:-16}; WT=${3:-2}; ST=${4:-1}
NCPU=$(nproc)
PIN=${PIN:-$([ "$NCPU" -ge 2 ] && echo 1 || echo 0)}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (make bench-predictor installs it)" >&2; exit 1; }
SRV_PIN=(); WRK_PIN=()
if [ "$PIN" = 1 ]; then
  SRV_PIN=(taskset -c $((NCPU - 1))); WRK_PIN=(taskset -c 0-$((NCPU - 2)))
fi
log=$(mktemp)
"${SRV_PIN[@]}" "$PHAS" predictor --model "${MODEL:-data/models/seed-original}" --port 0 --threads "$ST" 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*predictor listening on [^:]*:\([0-9]*\).*/\1/p' "$log")
  [ -n "$port" ] && break; sleep 0.1
done
[ -n "$port" ] || { cat "$log" >&2; exit 1; }
echo "config: server threads=$ST, wrk threads=$WT, connections=$CONNS, pinned=$PIN, duration=$DUR"
echo "server idle RSS: $(awk '/VmRSS/{print $2, $3}' /proc/$pid/status)"
"${WRK_PIN[@]}" wrk -t"$WT" -c"$CONNS" -d5s -s bench/predict.lua "http://127.0.0.1:$port/predict" >/dev/null
"${WRK_PIN[@]}" wrk -t"$WT" -c"$CONNS" -d"$DUR" --latency -s bench/predict.lua "http://127.0.0.1:$port/predict"
echo "server peak RSS (VmHWM): $(awk '/VmHWM/{print $2, $3}' /proc/$pid/status)"
echo "server RSS now (VmRSS):  $(awk '/VmRSS/{print $2, $3}' /proc/$pid/status)"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
grep '^phas_predictor_requests_total' <&3 || true
