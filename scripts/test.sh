#!/usr/bin/env bash
# The whole test suite: sets up the test bed (idempotent), then runs the unit, integration,
# remote-engine, end-to-end and multi-node layers, prints each layer's counts and a final
# "N passed, N failed" line, and exits non-zero when any test failed. `scripts/test.sh unit` (or
# integration, remote, e2e, multinode) runs one.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
source scripts/lib.sh

layers=("$@")
[ ${#layers[@]} -eq 0 ] && layers=(unit integration remote e2e multinode)
need_vscode=0
for l in "${layers[@]}"; do { [ "$l" = e2e ] || [ "$l" = remote ]; } && need_vscode=1; done

if [ "$need_vscode" = 1 ]; then bash scripts/setup.sh --with-vscode || die "set-up failed"; else bash scripts/setup.sh || die "set-up failed"; fi
npm run --silent lint || die "lint failed"
npm run --silent typecheck || die "type check failed"
rm -rf out
npx tsc -p tsconfig.test.json || die "compiling the tests failed"

mkdir -p test-output
total_pass=0; total_fail=0; summary=()
run_layer() {
  local layer=$1; shift
  local tap="test-output/$layer.tap"
  log "running $layer tests"
  node --test --test-reporter=spec --test-reporter-destination=stdout \
       --test-reporter=tap --test-reporter-destination="$tap" "$@"
  local pass fail
  pass=$(grep -E '^# pass ' "$tap" | tail -1 | awk '{print $3}')
  fail=$(grep -E '^# fail ' "$tap" | tail -1 | awk '{print $3}')
  pass=${pass:-0}; fail=${fail:-0}
  # A layer that ran nothing, or crashed before counting, is a failure.
  if [ "$pass" = 0 ] && [ "$fail" = 0 ]; then fail=1; fi
  total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
  summary+=("$layer: $pass passed, $fail failed")
}

# The multi-node layer's own swarm (scripts/multinode.sh): a prefix of this run's own and a /24
# no Docker network uses, so two runs never share or collide; removed on any exit.
MN_RUN_PREFIX=""
mn_down() { [ -n "$MN_RUN_PREFIX" ] && MN_PREFIX=$MN_RUN_PREFIX bash scripts/multinode.sh down >/dev/null 2>&1; MN_RUN_PREFIX=""; }
trap mn_down EXIT
trap 'mn_down; exit 130' INT TERM HUP
free_subnet() {
  local used third
  used=$(docker network inspect $(docker network ls -q) --format '{{range .IPAM.Config}}{{.Subnet}} {{end}}' 2>/dev/null)
  # Start at a random place so two runs starting together are unlikely to pick the same one.
  for n in $(seq 0 99); do
    third=$(( (RANDOM + n) % 100 + 120 ))
    grep -qE "(^| )172\.30\.$third\." <<<"$used" || { echo "172.30.$third"; return 0; }
  done
  return 1
}
run_multinode() {
  local attempt subnet
  for attempt in 1 2 3; do
    MN_RUN_PREFIX="rsmnt$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    subnet=$(free_subnet) || die "no free 172.30.x.0/24 for the multi-node test bed"
    log "multi-node test bed $MN_RUN_PREFIX on $subnet.0/24"
    # A short heartbeat: a killed node is marked Down in seconds, not tens of seconds.
    if MN_PREFIX=$MN_RUN_PREFIX MN_SUBNET=$subnet MN_HEARTBEAT=2s bash scripts/multinode.sh up --nodes 3; then break; fi
    # Another run took the subnet between the look and the create: tear down, try another.
    mn_down
    [ "$attempt" = 3 ] && { summary+=("multinode: 0 passed, 1 failed (the test bed did not come up)"); total_fail=$((total_fail + 1)); return; }
  done
  DOCKER_HOST="unix:///run/redis-swarm-$MN_RUN_PREFIX/1/docker.sock" RS_MN_PREFIX=$MN_RUN_PREFIX RS_MN_NODES=3 \
    run_layer multinode --test-concurrency=1 out/test/multinode/*.test.js
  mn_down
}

for layer in "${layers[@]}"; do
  layer_started=$(date +%s)
  case "$layer" in
    # Explicit *.test.js lists: helpers and samples beside the tests are not test files.
    unit) run_layer unit out/test/unit/*.test.js ;;
    # One file at a time: the swarm and loopback tests share the 2 cores and the engine.
    integration) run_layer integration --test-concurrency=1 out/test/integration/*.test.js ;;
    # The engine over ssh (a test sshd on 127.0.0.1) and over TCP+TLS (a Docker-in-Docker node
    # on an --internal bridge): each file makes its own bed and removes it.
    remote) run_layer remote --test-concurrency=1 out/test/remote/*.test.js ;;
    # One VS Code at a time: each test starts its own code-server and Chromium.
    e2e) run_layer e2e --test-concurrency=1 out/test/e2e/*.test.js ;;
    # One file at a time on one shared 3-node bed; the tests reach it through the manager only.
    multinode) run_multinode ;;
    *) die "unknown test layer $layer (unit, integration, remote, e2e, multinode)" ;;
  esac
  log "$layer layer took $(( $(date +%s) - layer_started )) s"
done

echo
for line in "${summary[@]}"; do echo "$line"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
