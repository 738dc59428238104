#!/usr/bin/env bash
# Failover of `phas scaler` replicas on DynamoDB (docs/ha.md): the
# integration test tests/integration/ha_replicas_test.cc run long, with
# KILLS kill -9s of the leader for two replicas and again for three (real
# processes against moto with IAM enforced, each replica behind its own
# proxy; lease 3 s, interval 1 s, cooldown 6 s), seeded. Prints the test's
# figures: median and worst time from the kill to the new leader's first
# SetDesiredCapacity (as moto carried it out), and double actions (two
# actions closer than the cooldown, whichever replicas).
#
# Usage: bench/ha_failover.sh [KILLS] [SEED]   (default 30, 14)
# Needs a build: cmake --build build --target phas phas_integration_tests
set -euo pipefail
cd "$(dirname "$0")/.."
TESTS=${TESTS:-$PWD/build/phas_integration_tests}
export PHAS_HA_KILLS=${1:-30}
export PHAS_HA_SEED=${2:-14}
export PATH="$HOME/.pyenv/shims:$PATH"
echo "kills per run: $PHAS_HA_KILLS, seed: $PHAS_HA_SEED"
start=$(date +%s)
out=$("$TESTS" --gtest_filter='HaReplicasTest.KillTheLeaderOf*' 2>&1) || {
  echo "$out" | tail -60
  exit 1
}
echo "$out" | grep -E '^ha failover:|\[  (PASSED|FAILED) '
echo "wall time: $(( $(date +%s) - start )) s"
