#!/usr/bin/env bash
# Speed of `phas backtest`: the 62-day, 1-minute NASA trace through all
# eight policies (535,680 loop cycles each at the 10 s interval), as
# docs/benchmarks.md reports it. Prints wall time, CPU time, peak RSS, and
# each policy's own wall time and its cost per loop cycle (mean, median,
# 90th and 99th percentile). POLICIES (a comma list, default all) and
# THREADS (default: the backtest's, one per core) narrow it down: with
# THREADS=1 a policy's wall time is its CPU time on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PHAS=${PHAS:-build/phas}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
args=()
[[ -n "${POLICIES:-}" ]] && args+=(--policy "$POLICIES")
[[ -n "${THREADS:-}" ]] && args+=(--threads "$THREADS")
/usr/bin/time -v "$PHAS" backtest --trace data/traces/nasa_http_1995_1min.csv --quiet \
  "${args[@]}" --json "$out/r.json" > "$out/table.txt" 2> "$out/time.txt"
cat "$out/table.txt"
grep -E "Elapsed|User time|System time|Maximum resident" "$out/time.txt"
python3 - "$out/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
cycles = int((r["runs"][0]["minutes_scored"] + r["runs"][0]["minutes_no_data"]) * 6)
print(f"cycles per policy: ~{cycles}")
print(f'{"policy":16s} {"wall":>9s}  {"mean":>6s} {"p50":>6s} {"p90":>6s} {"p99":>6s} us/cycle')
for run in r["runs"]:
    c = run["cycle_us"]
    print(f'{run["policy"]:16s} {run["wall_seconds"]:7.1f} s  {c["mean"]:6.1f} {c["p50"]:6.1f} {c["p90"]:6.1f} {c["p99"]:6.1f}')
PY
