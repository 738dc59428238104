#!/usr/bin/env bash
# Predictive vs target tracking at equal instance-hours, on every trace of a
# suite directory (default data/traces).
#
# Target tracking's cost and under-provisioning both follow its target: a
# lower target buys fewer under-provisioned minutes with more instances. This
# runs target tracking at several targets (TARGETS, default "60 55 50 45 40";
# the scores are always judged at 60 %), the predictive policy and the oracle
# at their defaults, and prints, per trace, target tracking's tau_U and
# theta_U interpolated (linearly, between the two targets whose costs bracket
# it) at the predictive policy's instance-hours: the comparison "at equal
# instance-hours" asks for. Nothing is tuned per trace.
#
# Usage: bench/frontier.sh [SUITE_DIR]      (about 15 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
PHAS=${PHAS:-build/phas}
SUITE=${1:-data/traces}
TARGETS=${TARGETS:-"60 55 50 45 40"}
# KEEP=DIR keeps the JSON results there.
if [[ -n "${KEEP:-}" ]]; then
  out=$KEEP
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
jobs=("--policy predictive,oracle --json $out/predictive.json")  # the longest: first
for t in $TARGETS; do
  printf 'policies:\n  target-tracking:\n    target: %s\n' "$t" > "$out/tt$t.yaml"
  jobs+=("--policy target-tracking --config $out/tt$t.yaml --json $out/tt$t.json")
done
printf '%s\n' "${jobs[@]}" | xargs -P "$(nproc)" -I{} sh -c "$PHAS backtest --suite $SUITE --quiet --threads 1 {} > /dev/null"
python3 - "$out" $TARGETS <<'PY'
import json, sys
out, targets = sys.argv[1], sys.argv[2:]

def load(path):
    d = json.load(open(path))
    d = d if isinstance(d, list) else d.get("results", [d])
    return {r["trace"]: {run["policy"]: run for run in r["runs"]} for r in d}

pred = load(f"{out}/predictive.json")
tt = {t: load(f"{out}/tt{t}.json") for t in targets}

def interp(points, cost, key):
    # points: (cost, run) sorted by cost; linear in cost between neighbours.
    for (c0, r0), (c1, r1) in zip(points, points[1:]):
        if c0 <= cost <= c1:
            f = (cost - c0) / (c1 - c0) if c1 > c0 else 0
            return r0[key] + f * (r1[key] - r0[key])
    return None

print(f"{'trace':26s} {'pred inst-h':>11s} {'vs oracle':>9s} {'pred tauU':>9s} {'TT tauU':>8s} "
      f"{'ratio':>6s} {'pred thetaU':>11s} {'TT thetaU':>9s} {'ratio':>6s}  target tracking (target: inst-h, tauU)")
for trace, runs in pred.items():
    p, o = runs["predictive"], runs["oracle"]
    pts = sorted((tt[t][trace]["target-tracking"]["instance_hours"], tt[t][trace]["target-tracking"])
                 for t in targets)
    curve = ", ".join(f'{t}%: {tt[t][trace]["target-tracking"]["instance_hours"]:.0f}, '
                      f'{tt[t][trace]["target-tracking"]["tau_u"]:.2f}' for t in targets)
    cost = p["instance_hours"]
    tu, th = interp(pts, cost, "tau_u"), interp(pts, cost, "theta_u")
    vs = 100 * (cost / o["instance_hours"] - 1)
    if tu is None:
        side = "below" if cost < pts[0][0] else "above"
        print(f"{trace:26s} {cost:11.1f} {vs:+8.1f}% {p['tau_u']:9.2f}   (cost {side} target tracking's range)  {curve}")
        continue
    r1 = p["tau_u"] / tu if tu > 0 else float("inf")
    r2 = p["theta_u"] / th if th > 0 else float("inf")
    print(f"{trace:26s} {cost:11.1f} {vs:+8.1f}% {p['tau_u']:9.2f} {tu:8.2f} {r1:6.2f} "
          f"{p['theta_u']:11.2f} {th:9.2f} {r2:6.2f}  {curve}")
PY
