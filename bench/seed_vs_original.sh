#!/usr/bin/env bash
# The seed policy with the trained default model vs with the original's model,
# at equal cost and at equal tau_U, on the first HOURS (default 168) of every
# trace of a suite directory (default data/traces).
#
# The original's model always answers "scale up", so with it the seed policy
# holds the group at MaxSize: its only dial is MaxSize. This runs the trained
# model in the standard world (group 1..40), then the original's model with
# MaxSize = 1, 2, ... until its tau_U is no worse than the trained model's,
# and prints per trace:
#   - at equal cost: the original's tau_U interpolated (linearly in
#     instance-hours, between the two MaxSizes that bracket the trained
#     model's instance-hours) against the trained model's;
#   - at equal or better tau_U: the cheapest MaxSize that gets the original
#     there, and its instance-hours against the trained model's.
# Choosing MaxSize after the fact is a hindsight the original would not have;
# the comparison favours it.
#
# Usage: bench/seed_vs_original.sh [SUITE_DIR]     (about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
PHAS=${PHAS:-build/phas}
SUITE=${1:-data/traces}
HOURS=${HOURS:-168}
ORIGINAL=${ORIGINAL:-data/models/seed-original}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
row() {  # trace, extra args -> "inst-h tauU"
  "$PHAS" backtest --trace "$1" --hours "$HOURS" --policy seed --quiet --threads 1 --json "$tmp" \
    "${@:2}" > /dev/null
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]; print(r["instance_hours"], r["tau_u"])' "$tmp"
}
printf '%-26s %22s %22s %10s %30s\n' trace "trained inst-h / tauU" "original at equal cost" "" "original at equal tauU"
for csv in "$SUITE"/*.csv; do
  read -r tc tu < <(row "$csv")
  prev_c="" prev_u="" equal_cost="-" n=1
  while :; do
    read -r oc ou < <(row "$csv" --model "$ORIGINAL" --max "$n")
    if [[ -n "$prev_c" && "$equal_cost" == "-" ]] && python3 -c "import sys; sys.exit(not ($prev_c <= $tc <= $oc))"; then
      equal_cost=$(python3 -c "print(f'{$prev_u + ($tc - $prev_c) / ($oc - $prev_c) * ($ou - $prev_u):.2f}')")
    fi
    if python3 -c "import sys; sys.exit(not ($ou <= $tu))"; then break; fi
    prev_c=$oc prev_u=$ou n=$((n + 1))
  done
  printf '%-26s %14.1f / %5.2f %15s tauU %10s %8s: %7.1f inst-h, tauU %5.2f (%.1fx)\n' \
    "$(basename "$csv" .csv)" "$tc" "$tu" "$equal_cost" "" "max $n" "$oc" "$ou" \
    "$(python3 -c "print($oc / $tc)")"
done
