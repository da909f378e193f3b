#!/usr/bin/env bash
# The test bed, idempotent (safe to run twice): Debian packages, dockerd, a single-node swarm,
# npm dependencies, the build, and the local Redis image. `--with-vscode` also installs
# code-server and Chromium for the VS Code tests and the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
source scripts/lib.sh

with_vscode=0
for arg in "$@"; do
  case "$arg" in
    --with-vscode) with_vscode=1 ;;
    *) die "unknown option $arg (setup.sh [--with-vscode])" ;;
  esac
done

command -v node >/dev/null || die "Node.js 20 is needed (https://nodejs.org); it is not on PATH."
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || die "Node.js 20 or later is needed; this is $(node --version)."

# docker.io: the engine (the docker CLI may already come from elsewhere; the daemon must be there).
# redis-server/redis-tools: the reference redis-cli and loopback nodes for the fast tests.
# tini (docker-init) and iptables: Recommends of docker.io that --no-install-recommends skips; the
# multi-node test bed (scripts/multinode.sh) copies them into its Docker-in-Docker nodes.
# openssh-server/openssh-client/openssl: the remote-engine tests (ssh:// through a test sshd on
# 127.0.0.1, tcp:// with TLS certificates the multi-node bed makes).
pkgs=(docker.io tini iptables redis-server redis-tools ca-certificates iproute2 procps mount openssh-server openssh-client openssl)
if [ "$with_vscode" = 1 ]; then
  # code-server builds native modules (node-pty, kerberos, native-keymap) and needs ripgrep;
  # chromium drives the workbench headless.
  pkgs+=(build-essential python3 pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep chromium curl)
fi
had_sshd=0
dpkg-query -W -f='${Status}' openssh-server 2>/dev/null | grep -q 'install ok installed' && had_sshd=1
ensure_apt_packages "${pkgs[@]}"
# The tests run their own sshd on 127.0.0.1 (test/support/sshBed.ts). On a systemd machine the
# package also starts the system's sshd on every interface: stop it again when this set-up is
# what installed it (a machine that already had openssh-server keeps its own).
if [ "$had_sshd" = 0 ] && [ -d /run/systemd/system ]; then
  systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
fi

# apt may start a redis-server on 6379 where an init system exists; the tests do not use it.
ensure_dockerd
ensure_swarm
ensure_node_modules
log "building"
npm run --silent build
ensure_redis_image
if [ "$with_vscode" = 1 ]; then
  bash scripts/install-code-server.sh
fi
log "ready: Docker $(docker info --format '{{.ServerVersion}}'), swarm $(docker info --format '{{.Swarm.LocalNodeState}}'), image $REDIS_IMAGE"
