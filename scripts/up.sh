#!/usr/bin/env bash
# The main job: the test bed (packages, dockerd, a single-node swarm, the local Redis image),
# the extension built and packaged, a live 6-node Redis Cluster on the swarm (deployed and
# formed if absent), and a real VS Code with the extension: desktop `code` when installed,
# otherwise code-server on 127.0.0.1 (its URL is printed). Safe to run twice.
#   REDIS_SWARM_CLUSTER  cluster name (default redis)
#   REDIS_SWARM_PUBLISH  first published host port (default 7001: redis-1 on 7001 … redis-6 on 7006)
#   REDIS_SWARM_VSCODE_PORT  code-server's port (default 8443)
#   REDIS_SWARM_VSCODE_BIND  code-server's address (default 127.0.0.1: only this machine). Any other
#                            address gets a warning and password login (code-server's terminal is a
#                            root shell on this machine); the password is in the demo's config.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
source scripts/lib.sh

CLUSTER=${REDIS_SWARM_CLUSTER:-redis}
PUBLISH=${REDIS_SWARM_PUBLISH:-7001}
VSCODE_PORT=${REDIS_SWARM_VSCODE_PORT:-8443}
VSCODE_BIND=${REDIS_SWARM_VSCODE_BIND:-127.0.0.1}
TOOLS=${REDIS_SWARM_TOOLS:-/var/cache/redis-swarm}

if command -v code >/dev/null 2>&1; then bash scripts/setup.sh; else bash scripts/setup.sh --with-vscode; fi
log "packaging the extension"
npm run --silent package >/dev/null

# The cluster: deploy when its services are absent, form it when its slots are not assigned.
if [ -z "$(docker service ls -q --filter "label=org.redis-swarm.cluster=$CLUSTER")" ]; then
  log "deploying cluster $CLUSTER (6 nodes, host ports $PUBLISH-$((PUBLISH + 5)))"
  # The demo cluster has no password (so redis-cli and VS Code reach it without one); its ports
  # are published on every interface of this machine: a local test bed, not a shared host.
  bin/redis-swarm deploy --name "$CLUSTER" --image "$REDIS_IMAGE" --network "$CLUSTER-net" --publish "$PUBLISH" --insecure-no-password
fi
if ! bin/redis-swarm check --cluster "$CLUSTER" >/dev/null 2>&1; then
  if redis-cli -p "$PUBLISH" cluster info 2>/dev/null | grep -q '^cluster_slots_assigned:0'; then
    log "forming cluster $CLUSTER"
    bin/redis-swarm create --cluster "$CLUSTER" --replicas 1 --yes
  else
    log "cluster $CLUSTER is formed but check reports problems:"
    bin/redis-swarm check --cluster "$CLUSTER" || true
  fi
fi
bin/redis-swarm status --cluster "$CLUSTER" || true

if command -v code >/dev/null 2>&1; then
  log "opening VS Code"
  code --install-extension dist/redis-swarm.vsix --force >/dev/null
  code "$PWD"
  exit 0
fi

# code-server: its own profile under $TOOLS/demo, kept between runs (history, settings).
CODE_SERVER="$TOOLS/code-server-4.99.4/node_modules/.bin/code-server"
[ -x "$CODE_SERVER" ] || die "code-server is missing at $CODE_SERVER (scripts/install-code-server.sh installs it)."
DEMO="$TOOLS/demo"
mkdir -p "$DEMO/home" "$DEMO/data/User" "$DEMO/extensions"
cat > "$DEMO/data/User/settings.json" <<'JSON'
{
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "workbench.enableExperiments": false,
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false
}
JSON
export HOME="$DEMO/home" XDG_CONFIG_HOME="$DEMO/home/.config" XDG_DATA_HOME="$DEMO/home/.local/share" XDG_CACHE_HOME="$DEMO/home/.cache" EXTENSIONS_GALLERY='{}'
cs_args=(--config "$DEMO/config.yaml" --user-data-dir "$DEMO/data" --extensions-dir "$DEMO/extensions")
# Loopback: no login (only this machine reaches it). Any other address: a password, never none.
case "$VSCODE_BIND" in
  127.*|::1|localhost) VSCODE_AUTH=none; printf 'auth: none\n' > "$DEMO/config.yaml" ;;
  *)
    VSCODE_AUTH=password
    log "[WARNING] code-server will listen on $VSCODE_BIND, not loopback: anyone who reaches that address gets VS Code and its terminal (a root shell here) with the password in $DEMO/config.yaml. Use a firewall, or an ssh tunnel to 127.0.0.1 instead."
    ( umask 077; printf 'auth: password\npassword: %s\n' "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" > "$DEMO/config.yaml" )
    ;;
esac
"$CODE_SERVER" "${cs_args[@]}" --install-extension "$PWD/dist/redis-swarm.vsix" --force >/dev/null

HEALTH_HOST=$VSCODE_BIND
case "$VSCODE_BIND" in 0.0.0.0|::) HEALTH_HOST=127.0.0.1 ;; *:*) HEALTH_HOST="[$VSCODE_BIND]" ;; esac
if curl -fsS "http://$HEALTH_HOST:$VSCODE_PORT/healthz" >/dev/null 2>&1; then
  log "code-server already runs on $VSCODE_BIND:$VSCODE_PORT (reload the page to load the new extension)"
else
  log "starting code-server on $VSCODE_BIND:$VSCODE_PORT (log: $DEMO/code-server.log)"
  setsid "$CODE_SERVER" "${cs_args[@]}" --auth "$VSCODE_AUTH" --bind-addr "$VSCODE_BIND:$VSCODE_PORT" \
    --disable-telemetry --disable-update-check --disable-workspace-trust "$PWD" \
    >"$DEMO/code-server.log" 2>&1 < /dev/null &
  echo $! > "$DEMO/code-server.pid"
  for _ in $(seq 1 120); do
    curl -fsS "http://$HEALTH_HOST:$VSCODE_PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS "http://$HEALTH_HOST:$VSCODE_PORT/healthz" >/dev/null 2>&1 || die "code-server did not start (see $DEMO/code-server.log)."
fi
echo
echo "VS Code (code-server) with redis-swarm: http://$HEALTH_HOST:$VSCODE_PORT/?folder=$PWD"
echo "Stop it with: kill -- -\$(cat $DEMO/code-server.pid)"
