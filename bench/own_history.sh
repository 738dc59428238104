#!/usr/bin/env bash
# `phas history` -> `phas backtest --asg` -> `phas tune --asg` on a moto
# group seeded with 14 days of per-minute history (the figures of
# docs/history.md): starts its own moto with IAM enforced on a free
# loopback port, builds the world as the integration tests do
# (tests/integration/moto_world.py with deploy/iam-policy.json, then
# history_world.py), runs the three commands as the least-privilege user,
# prints each command, its output and its wall time, and stops moto.
#
# Usage: bench/own_history.sh [GROUP]   (GROUP: alb-web (default) or cpu-web)
set -euo pipefail
cd "$(dirname "$0")/.."
PHAS=${PHAS:-$PWD/build/phas}
GROUP=${1:-alb-web}
LABEL=app/web/50dc6c49a86a3ddb/targetgroup/web-tg/73e2d6bc24d8a067
export PATH="$HOME/.pyenv/shims:$PATH"
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
INITIAL_NO_AUTH_ACTION_COUNT=3 moto_server -p "$port" > "$work/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; rm -rf "$work"' EXIT
url=http://127.0.0.1:$port
# Wait for the port (a request would spend one of the 3 unauthenticated calls).
python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(300):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        break
    except OSError:
        time.sleep(0.1)
PY
python3 tests/integration/moto_world.py "$url" deploy/iam-policy.json --asg unused --bootstrap > "$work/world.json"
admin=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["admin"]))' "$work/world.json")
t0=$(date +%s.%N)
python3 tests/integration/history_world.py "$url" "$admin" cpu-web alb-web "$LABEL" > /dev/null
echo "seeded 14 days x 2 groups in $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s"
key() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["phas"][sys.argv[2]])' "$work/world.json" "$1"; }
export AWS_ACCESS_KEY_ID=$(key AccessKeyId) AWS_SECRET_ACCESS_KEY=$(key SecretAccessKey)
export AWS_REGION=us-east-1 AWS_ENDPOINT_URL=$url AWS_EC2_METADATA_DISABLED=true HOME=$work
unset AWS_PROFILE AWS_SESSION_TOKEN
signal=()
[[ $GROUP == alb-web ]] && signal=(--signal alb_requests --resource-label "$LABEL")
run() {
  echo
  echo "\$ $*"
  local s=$(date +%s.%N)
  "$@"
  echo "[$(python3 -c "print(round($(date +%s.%N) - $s, 1))") s]"
}
# moto's GetMetricData costs grow with the square of the window: 3-hour
# requests there (one request per period segment against CloudWatch).
run "$PHAS" history --asg "$GROUP" "${signal[@]}" --days 14 --request-hours 3 --out "$work/$GROUP.csv"
head -14 "$work/$GROUP.csv"
run "$PHAS" backtest --asg "$GROUP" "${signal[@]}" --days 14 --request-hours 3 --quiet \
  --policy target-tracking,predictive,aws-predictive,oracle
if "$PHAS" tune --help 2>/dev/null | grep -q -- --asg; then
  run "$PHAS" tune --asg "$GROUP" "${signal[@]}" --days 14 --request-hours 3
fi
