#!/usr/bin/env bash
# Installs code-server (VS Code in the browser) for the e2e tests, idempotently, into a cache
# folder outside the checkout so every clone on this machine reuses it:
#   ${REDIS_SWARM_TOOLS:-/var/cache/redis-swarm}/code-server-<version>/node_modules/.bin/code-server
# A second run only checks the stamp and the binary (seconds). Fixes, from
# shared/docs/environment.md ("A real VS Code, in a real browser"):
# - @vscode/ripgrep downloads rg from GitHub unless its cache tarball exists under $TMPDIR:
#   we pack Debian's /usr/bin/rg (the same 13.0.0) into it first;
# - npm_config_nodedir=/usr (node-gyp builds against the local headers, no download),
#   npm_config_unsafe_perm=true (code-server's postinstall refuses root otherwise),
#   npm_config_yes=true (node-pty's build runs `npx node-gyp`; `yes=false` would cancel it);
# - HOME, XDG_* and TMPDIR point at a scratch folder, removed at the end;
# - npm 11 runs dependency install scripts only as its allowScripts policy says. code-server
#   needs its own postinstall (which runs `npm install` in lib/vscode and lib/vscode/extensions)
#   and the native builds, so we allow exactly those packages and turn on
#   --strict-allow-scripts, so that a new package with a script fails the install loudly
#   instead of leaving a half-built code-server. See install_code_server for why it is done
#   in two steps.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
source scripts/lib.sh

CODE_SERVER_VERSION=4.99.4
# Bump when the recipe below changes, so that existing installs are redone.
RECIPE=2
RG_PACKAGE_VERSION=1.15.11  # @vscode/ripgrep that code-server 4.99.4 depends on
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

TOOLS=${REDIS_SWARM_TOOLS:-/var/cache/redis-swarm}
DEST="$TOOLS/code-server-$CODE_SERVER_VERSION"
BIN="$DEST/node_modules/.bin/code-server"
STAMP="$DEST/.redis-swarm-installed"
STAMP_TEXT="code-server $CODE_SERVER_VERSION recipe $RECIPE"

# Packages whose install scripts must run. Outer install (the cache folder's package.json):
# code-server itself (postinstall.sh) and argon2 (node-gyp, for --auth password).
OUTER_ALLOW='{"code-server@'"$CODE_SERVER_VERSION"'": true, "argon2": true}'
# lib/vscode (pinned by its npm-shrinkwrap.json): the native modules of VS Code's server and
# ripgrep. The two windows-* modules build nothing on Linux; they are allowed because
# upstream's install runs them too, and denying would differ from what code-server tests.
VSCODE_ALLOW="@parcel/watcher,@vscode/deviceid,@vscode/ripgrep,@vscode/spdlog,@vscode/windows-process-tree,@vscode/windows-registry,kerberos,native-watchdog,node-pty"

# lib/vscode/extensions: the file watcher and esbuild (whose install script checks that its
# platform binary, an optional dependency, is there).
EXTENSIONS_ALLOW="@parcel/watcher,esbuild"

installed_ok() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_TEXT" ] && [ -x "$BIN" ]
}

# Runs code-server with HOME and XDG_* in a throwaway folder: every command writes there.
run_code_server() {
  local scratch rc=0
  scratch=$(mktemp -d)
  HOME="$scratch" XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" \
    XDG_CACHE_HOME="$scratch/cache" XDG_STATE_HOME="$scratch/state" EXTENSIONS_GALLERY='{}' \
    "$BIN" --config "$scratch/config.yaml" --user-data-dir "$scratch/user-data" \
    --extensions-dir "$scratch/extensions" "$@" || rc=$?
  rm -rf "$scratch"
  return $rc
}

free_port() {
  local p
  for p in $(seq 18000 18099); do
    # A refused connection means nobody listens there.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

# Starts the installed code-server on loopback, waits for /healthz and stops it: proves the
# native modules load and the server answers, not merely that files were unpacked.
smoke_test() {
  local port scratch pid i ok=0
  port=$(free_port) || die "no free port in 18000-18099 for the code-server smoke test"
  scratch=$(mktemp -d)
  mkdir -p "$scratch/user-data/User"
  printf '%s\n' '{"telemetry.telemetryLevel":"off","update.mode":"none","extensions.autoCheckUpdates":false,"workbench.enableExperiments":false}' \
    >"$scratch/user-data/User/settings.json"
  # setsid: code-server starts an extension host and watchers; killing the group stops them all.
  HOME="$scratch" XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" \
    XDG_CACHE_HOME="$scratch/cache" XDG_STATE_HOME="$scratch/state" EXTENSIONS_GALLERY='{}' \
    setsid "$BIN" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry \
    --disable-update-check --disable-workspace-trust --config "$scratch/config.yaml" \
    --user-data-dir "$scratch/user-data" --extensions-dir "$scratch/extensions" "$scratch" \
    >"$scratch/server.log" 2>&1 </dev/null &
  pid=$!
  for i in $(seq 1 60); do
    if curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -TERM -- "-$pid" 2>/dev/null || true
  for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  if [ "$ok" != 1 ]; then
    tail -30 "$scratch/server.log" >&2 || true
    rm -rf "$scratch"
    die "code-server did not answer /healthz on 127.0.0.1:$port within 30 s (log above)"
  fi
  rm -rf "$scratch"
}

# A subshell: the scratch HOME/TMPDIR and npm settings below must not leak into the smoke test.
install_code_server() (
  local work
  work=$(mktemp -d "$TOOLS/.work.XXXXXX")
  # shellcheck disable=SC2064 # expand now: the trap must remove this very folder.
  trap "rm -rf '$work'" EXIT
  mkdir -p "$work/home" "$work/tmp"

  # The ripgrep download cache, made from Debian's rg so @vscode/ripgrep never calls GitHub.
  [ -x /usr/bin/rg ] || die "/usr/bin/rg is missing: apt-get install ripgrep"
  mkdir -p "$work/tmp/vscode-ripgrep-cache-$RG_PACKAGE_VERSION"
  tar -czf "$work/tmp/vscode-ripgrep-cache-$RG_PACKAGE_VERSION/$RG_ASSET" -C /usr/bin rg

  export HOME="$work/home" TMPDIR="$work/tmp"
  export XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
  export XDG_CACHE_HOME="$work/home/.cache" XDG_STATE_HOME="$work/home/.local/state"
  export npm_config_nodedir=/usr npm_config_unsafe_perm=true npm_config_yes=true
  export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  export npm_config_cache="$work/npm-cache"

  rm -rf "$DEST"
  mkdir -p "$DEST"
  cat >"$DEST/package.json" <<EOF
{
  "name": "redis-swarm-code-server",
  "private": true,
  "description": "code-server for the redis-swarm e2e tests, installed by scripts/install-code-server.sh",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": $OUTER_ALLOW
}
EOF
  # Step 1: unpack without running anything. Why two steps: the nested installs run by
  # code-server's postinstall see no policy in lib/vscode/package.json, and an
  # `allow-scripts` setting in the outer npm's config would be handed down to them as
  # npm_config_allow_scripts, which npm 11 rejects in a project install (EALLOWSCRIPTS).
  # A project .npmrc in each nested folder is read only by that nested install.
  log "installing code-server $CODE_SERVER_VERSION into $DEST (about a minute and a half)"
  (cd "$DEST" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >"$work/install.log" 2>&1) || {
    tail -40 "$work/install.log" >&2; die "npm install of code-server $CODE_SERVER_VERSION failed (log above)"; }
  local cs="$DEST/node_modules/code-server"
  printf 'allow-scripts=%s\n' "$VSCODE_ALLOW" >"$cs/lib/vscode/.npmrc"
  printf 'allow-scripts=%s\n' "$EXTENSIONS_ALLOW" >"$cs/lib/vscode/extensions/.npmrc"
  # Step 2: run the allowed scripts (code-server's postinstall, argon2's build); strict mode
  # is passed down to the nested installs through the environment.
  log "building code-server's native modules"
  (cd "$DEST" && npm rebuild --strict-allow-scripts --foreground-scripts --loglevel=error >"$work/build.log" 2>&1) || {
    tail -60 "$work/build.log" >&2; die "building code-server $CODE_SERVER_VERSION failed (log above)"; }

  # The pieces the workbench needs at run time, checked here so a silent skip shows now.
  local f
  for f in lib/vscode/node_modules/node-pty/build/Release/pty.node \
           lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node \
           lib/vscode/node_modules/@vscode/ripgrep/bin/rg \
           lib/vscode/node_modules.asar; do
    [ -e "$cs/$f" ] || { tail -40 "$work/build.log" >&2; die "code-server install is incomplete: $f is missing"; }
  done
  # The EXIT trap removes the scratch folder.
)

mkdir -p "$TOOLS"
# One install at a time: a second run waits for the first instead of deleting its work.
exec 9>"$TOOLS/.code-server.lock"
flock 9

if installed_ok && run_code_server --version >/dev/null 2>&1; then
  log "code-server $CODE_SERVER_VERSION already installed: $BIN"
  exit 0
fi

node -e 'process.exit(process.versions.node.split(".")[0] === "20" ? 0 : 1)' ||
  die "code-server $CODE_SERVER_VERSION needs Node.js 20; this is $(node --version)."
start=$SECONDS
install_code_server
smoke_test
echo "$STAMP_TEXT" >"$STAMP"
log "code-server $CODE_SERVER_VERSION installed in $((SECONDS - start)) s: $BIN ($(du -sh "$DEST" | cut -f1))"
