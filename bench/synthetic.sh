#!/usr/bin/env bash
# Load shapes no bundled trace has, made up here (seeded, so every run
# writes the same traces), replayed like the real ones: each shape x the
# predictive policy (default settings) x target tracking's curve x the
# oracle, with `phas backtest --frontier`. Prints, per shape: predictive's
# tau_U, its instance-hours vs the oracle's, and its tau_U and theta_U over
# target tracking's at equal instance-hours. Nothing in phas was chosen on
# these shapes: they check that what was chosen on the development traces
# does not break on a load it never saw (office_hours excepted, below).
# About 40 s on 2 cores.
#   level_shift_up   a daily cycle; the level x3 from day 7, 14 days
#   growth           a daily cycle; the level rising to x3 over 21 days
#   weekly           a daily cycle; weekends at 40 %, 35 days
#   one_spike        a flat load near one instance; one 45-minute spike x20
#   noise            independent noise around a constant, 1-minute samples
#   hourly_samples   a daily cycle sampled once an hour, 30 days
#   bursts_2h        a flat load; a 10-minute burst x4 every 2 hours
#   gap_shift_down   a daily cycle; 6 hours without data, then the level x0.4
#   office_hours     100 from 09:00 to 17:00 on weekdays, 15 otherwise,
#                    28 days (the live choice of a forecaster was built on
#                    it: docs/predictive.md)
#   daily_batch      a flat load; a 2-hour batch x5 at 02:00 every day
#   morning_ramp     flat at night; a ramp to x6 within 10 minutes at 08:00,
#                    back down at 20:00, 1-minute samples
#   phase_shift      a daily cycle, an hour later from day 7 (a time change)
#   decline          a daily cycle; the level falling to x0.3 over 21 days
#   random_onoff     a flat load; x5 in half-hour blocks, each on with
#                    probability 0.3, independently (nothing to forecast)
# The noise is 8 % of the level (5 % hourly, 6 % on morning_ramp), the
# first flat loads' 10 %.
set -euo pipefail
cd "$(dirname "$0")/.."
PHAS=${PHAS:-build/phas}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cp "$PHAS" "$out/phas"
mkdir "$out/traces"
python3 - "$out/traces" <<'PY'
import datetime, math, random, sys

random.seed(7)
start = datetime.datetime(2024, 1, 1)

def write(name, step_minutes, days, load, gaps=()):
    with open(f"{sys.argv[1]}/{name}.csv", "w") as f:
        f.write("timestamp,value\n")
        for i in range(int(days * 1440 / step_minutes)):
            h = i * step_minutes / 60
            if any(a <= h < b for a, b in gaps):
                continue
            t = start + datetime.timedelta(minutes=i * step_minutes)
            f.write(f"{t:%Y-%m-%dT%H:%M:%SZ},{max(0.0, load(h)):.3f}\n")

def daily(h):  # low at 03:00, high at 15:00
    return 1 + 0.8 * math.sin(2 * math.pi * (h % 24 - 9) / 24)

def noisy(x, sd):
    return x * (1 + random.gauss(0, sd))

write("level_shift_up", 5, 14,
      lambda h: noisy((100 if h < 24 * 7 else 300) * daily(h), 0.08))
write("growth", 5, 21,
      lambda h: noisy(100 * (1 + 2 * h / (24 * 21)) * daily(h), 0.08))
write("weekly", 5, 35,
      lambda h: noisy(100 * daily(h) * (0.4 if (h // 24) % 7 >= 5 else 1), 0.08))
write("one_spike", 5, 14,
      lambda h: noisy(20, 0.1) + (400 if 24 * 9 <= h < 24 * 9 + 0.75 else 0))
write("noise", 1, 10, lambda h: noisy(200, 0.1))
write("hourly_samples", 60, 30, lambda h: noisy(100 * daily(h), 0.05))
write("bursts_2h", 5, 14,
      lambda h: noisy(50, 0.1) + (150 if h % 2 < 1 / 6 else 0))
write("gap_shift_down", 5, 14,
      lambda h: noisy((100 if h < 24 * 7 else 40) * daily(h), 0.08),
      gaps=[(24 * 7 - 3, 24 * 7 + 3)])
write("office_hours", 5, 28,
      lambda h: noisy(100 if (h // 24) % 7 < 5 and 9 <= h % 24 < 17 else 15,
                      0.08))
write("daily_batch", 1, 14,
      lambda h: noisy(20 + (80 if 2 <= h % 24 < 4 else 0), 0.08))
write("morning_ramp", 1, 14,
      lambda h: noisy(20 + (100 * min(1, (h % 24 - 8) * 6)
                            if 8 <= h % 24 < 20 else 0), 0.06))
write("phase_shift", 5, 14,
      lambda h: noisy(100 * daily(h if h < 24 * 7 else h - 1), 0.08))
write("decline", 5, 21,
      lambda h: noisy(100 * (1 - 0.7 * h / (24 * 21)) * daily(h), 0.08))
blocks = [random.random() < 0.3 for _ in range(14 * 48)]
write("random_onoff", 1, 14,
      lambda h: noisy(30 + (120 if blocks[int(h * 2)] else 0), 0.08))
PY
"$out/phas" backtest --frontier --suite "$out/traces" --policy predictive,oracle \
  --quiet --json "$out/frontier.json" > /dev/null
python3 - "$out/frontier.json" <<'PY'
import json, sys

print("| shape | realised τ_U | inst-h vs oracle | τ_U / TT's at equal inst-h | θ_U / TT's |")
print("|---|---|---|---|---|")
for f in json.load(open(sys.argv[1]))["frontiers"]:
    p = next(p for p in f["policies"] if p["policy"] == "predictive")
    eq = p["equal_cost"]
    def ratio(key):
        v = eq.get(key)
        return f"{v:.2f}" if v is not None else f"outside the curve ({eq.get('side')})"
    vs = p.get("vs_oracle_pct")
    vs = f"{vs:+.1f} %" if vs is not None else "-"
    print(f"| {f['trace']} | {p['tau_u']:.2f} % | {vs} | "
          f"{ratio('tau_u_ratio')} | {ratio('theta_u_ratio')} |")
PY
