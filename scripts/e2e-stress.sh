#!/usr/bin/env bash
# Issue 19's proof: the end-to-end layer, N runs in a row (default 5) from a fresh clone of this
# repository's HEAD, while scripts/cpu-load.mjs keeps every core busy (bounded in time, local).
# Prints each run's counts and a final "N passed, N failed" line of runs; exits non-zero when
# any run failed. Usage: bash scripts/e2e-stress.sh [runs]
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
source scripts/lib.sh

runs=${1:-5}
[[ "$runs" =~ ^[1-9][0-9]?$ ]] || die "runs must be 1..99, not $runs"
clone=$(mktemp -d /tmp/redis-swarm-stress.XXXXXX)
load_pid=
cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null
  rm -rf "$clone"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "fresh clone of HEAD in $clone"
git clone -q . "$clone" || die "git clone failed"
# One e2e run takes a few minutes; bound the load by the whole series with room to spare.
node scripts/cpu-load.mjs --seconds $((runs * 900)) &
load_pid=$!

ok=0; bad=0
for i in $(seq 1 "$runs"); do
  log "e2e run $i of $runs under load"
  out="$clone/test-output/stress-run-$i.log"
  mkdir -p "$clone/test-output"
  if (cd "$clone" && bash scripts/test.sh e2e) >"$out" 2>&1; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
  echo "run $i: $(grep -E '^e2e: ' "$out" | tail -1)"
  grep -E '^not ok|^✖' "$out" | head -5
  mkdir -p test-output && cp "$out" "test-output/stress-run-$i.log"
done
echo "$ok passed, $bad failed"
[ "$bad" = 0 ]
