#!/usr/bin/env bash
# Starts `phas predictor` with the default model on a free loopback port,
# sends it one request in the original clients' form, prints the answer and
# stops the service. Needs only bash (for /dev/tcp).
set -euo pipefail
PHAS=${PHAS:-build/phas}
log=$(mktemp)
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
"$PHAS" predictor --port 0 --threads 2 2>"$log" &
pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*predictor listening on [^:]*:\([0-9]*\).*/\1/p' "$log")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "phas: predictor did not start" >&2; cat "$log" >&2; exit 1; }
cat "$log"
body='{"features": [45.2, 56.2, 160.8, 203.4, 21696000000, 0.2, 1.9941, "network", "low"]}'
echo "POST /predict $body"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "${#body}" "$body" >&3
answer=$(cat <&3)
exec 3>&-
echo "${answer##*$'\r\n\r\n'}"
kill -TERM "$pid"
wait "$pid"
echo "predictor stopped"
