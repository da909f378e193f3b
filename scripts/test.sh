#!/usr/bin/env bash
# The whole test suite: sets up the test bed (idempotent), then runs the unit, integration,
# remote-engine and end-to-end layers, prints each layer's counts and a final "N passed, N failed"
# line, and exits non-zero when any test failed. `scripts/test.sh unit` (or integration, remote,
# e2e) runs one.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
source scripts/lib.sh

layers=("$@")
[ ${#layers[@]} -eq 0 ] && layers=(unit integration remote e2e)
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

for layer in "${layers[@]}"; do
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
    *) die "unknown test layer $layer (unit, integration, remote, e2e)" ;;
  esac
done

echo
for line in "${summary[@]}"; do echo "$line"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
