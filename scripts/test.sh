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
  rm -f "$tap"
  log "running $layer tests"
  node --test --test-reporter=spec --test-reporter-destination=stdout \
       --test-reporter=tap --test-reporter-destination="$tap" "$@"
}
# A layer's counts, from its TAP file; a layer that ran nothing, or crashed before counting, failed.
tally() {
  local layer=$1 tap="test-output/$1.tap" pass fail
  pass=$(grep -E '^# pass ' "$tap" 2>/dev/null | tail -1 | awk '{print $3}')
  fail=$(grep -E '^# fail ' "$tap" 2>/dev/null | tail -1 | awk '{print $3}')
  pass=${pass:-0}; fail=${fail:-0}
  if [ "$pass" = 0 ] && [ "$fail" = 0 ]; then fail=1; fi
  total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
  summary+=("$layer: $pass passed, $fail failed${2:+ $2}")
}

# The multi-node layer's own swarm (scripts/multinode.sh): a prefix of this run's own and a /24
# no Docker network uses, so two runs never share or collide; removed on any exit.
MN_RUN_PREFIX=""
mn_down() { [ -n "$MN_RUN_PREFIX" ] && MN_PREFIX=$MN_RUN_PREFIX bash scripts/multinode.sh down >/dev/null 2>&1; MN_RUN_PREFIX=""; }
trap 'mn_down; [ -n "${side_pid:-}" ] && kill "$side_pid" 2>/dev/null' EXIT
trap 'mn_down; [ -n "${side_pid:-}" ] && kill "$side_pid" 2>/dev/null; exit 130' INT TERM HUP
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
    [ "$attempt" = 3 ] && { rm -f test-output/multinode.tap; log "the multi-node test bed did not come up"; return; }
  done
  DOCKER_HOST="unix:///run/redis-swarm-$MN_RUN_PREFIX/1/docker.sock" RS_MN_PREFIX=$MN_RUN_PREFIX RS_MN_NODES=3 \
    run_layer multinode --test-concurrency=1 out/test/multinode/*.test.js
  mn_down
}

run_one() {
  local layer=$1 started
  started=$(date +%s)
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
  esac
  log "$layer layer took $(( $(date +%s) - started )) s"
}
for layer in "${layers[@]}"; do
  case "$layer" in unit | integration | remote | e2e | multinode) ;; *) die "unknown test layer $layer (unit, integration, remote, e2e, multinode)" ;; esac
done
has() { local l; for l in "${layers[@]}"; do [ "$l" = "$1" ] && return 0; done; return 1; }

# The multi-node and remote-engine layers run on test beds of their own (Docker-in-Docker nodes,
# a test sshd) and spend most of their time waiting on swarm and Redis timeouts, as the
# integration layer does on the host's swarm: in a full run they go side by side with it, their
# output kept in test-output/<layer>.log and printed when they end. The CPU-heavy e2e layer runs
# alone afterwards. REDIS_SWARM_TEST_SERIAL=1 runs every layer one after the other.
side=()
if [ "${REDIS_SWARM_TEST_SERIAL:-0}" != 1 ] && has integration; then
  for l in multinode remote; do has "$l" && side+=("$l"); done
fi
side_pid=""
in_side() { local l; for l in "${side[@]}"; do [ "$l" = "$1" ] && return 0; done; return 1; }
for layer in "${layers[@]}"; do
  if in_side "$layer"; then continue; fi
  if [ "$layer" = integration ] && [ ${#side[@]} -gt 0 ]; then
    log "running ${side[*]} beside integration (output in test-output/<layer>.log)"
    ( trap mn_down EXIT; trap 'mn_down; exit 130' INT TERM HUP; for l in "${side[@]}"; do run_one "$l" >"test-output/$l.log" 2>&1; done ) &
    side_pid=$!
  fi
  # e2e starts when the side layers are done: it needs the CPU to itself.
  if [ "$layer" = e2e ] && [ -n "$side_pid" ]; then wait "$side_pid"; side_pid=""; for l in "${side[@]}"; do cat "test-output/$l.log"; done; fi
  run_one "$layer"
done
if [ -n "$side_pid" ]; then wait "$side_pid"; for l in "${side[@]}"; do cat "test-output/$l.log"; done; fi
for layer in "${layers[@]}"; do tally "$layer"; done

# What failed and why, last: a log cut to its tail still says it.
if [ "$total_fail" != 0 ]; then echo; node scripts/tap-failures.mjs $(for l in "${layers[@]}"; do echo "test-output/$l.tap"; done); fi
echo
for line in "${summary[@]}"; do echo "$line"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
