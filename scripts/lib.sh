# Shared functions of the set-up scripts. Every function is idempotent: it checks, then acts.
# shellcheck shell=bash

log() { printf '\033[1;34m[redis-swarm]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[redis-swarm]\033[0m %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" = 0 ] || die "this set-up installs packages and starts dockerd: run it as root (or with sudo)."
}

# Installs the Debian packages that are missing; `apt-get update` runs only when something is.
APT_UPDATED=0
ensure_apt_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root
  log "installing Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

docker_up() { docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

# Starts dockerd in the background unless an engine already answers on the default socket.
ensure_dockerd() {
  if docker_up; then return 0; fi
  need_root
  log "starting dockerd (log: /var/log/dockerd.log)"
  # setsid: the engine must outlive this script and the terminal it runs in.
  setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  local i
  for i in $(seq 1 120); do
    docker_up && return 0
    sleep 0.5
  done
  tail -20 /var/log/dockerd.log >&2 || true
  die "dockerd did not answer within 60 s (see /var/log/dockerd.log)."
}

ensure_swarm() {
  local state
  state=$(docker info --format '{{.Swarm.LocalNodeState}}')
  if [ "$state" = active ]; then return 0; fi
  log "initialising a single-node swarm"
  # 127.0.0.1: the swarm stays on this machine; nothing is advertised to the network.
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
}

# The local Redis image for tests and the demo (there is no registry to pull redis:7 from).
# It resembles the official redis:7 image where redis-swarm relies on it: Debian userland with
# bash and coreutils (the Docker-API tunnel runs `bash` + `cat` in the container), the command
# `redis-server <conf>`, /data as the working directory, REDIS_VERSION in the environment.
REDIS_IMAGE=${REDIS_SWARM_IMAGE:-redis-swarm/redis:7-local}
ensure_redis_image() {
  local root="$PWD"
  local stamp
  # The contents only (not the paths), so every checkout on the machine shares the image.
  stamp=$(cat "$root/test/image/build-rootfs.sh" "$root/test/image/Dockerfile" | sha256sum | cut -c1-12)
  if [ "$(docker image inspect -f '{{index .Config.Labels "org.redis-swarm.recipe"}}' "$REDIS_IMAGE" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  log "building the local Redis image $REDIS_IMAGE"
  local ctx
  ctx=$(mktemp -d)
  bash "$root/test/image/build-rootfs.sh" "$ctx/rootfs.tar"
  cp "$root/test/image/Dockerfile" "$ctx/Dockerfile"
  REDIS_VERSION=$(redis-server --version | sed -E 's/.*v=([0-9.]+).*/\1/')
  DOCKER_BUILDKIT=0 docker build -q --label "org.redis-swarm.recipe=$stamp" --build-arg "REDIS_VERSION=$REDIS_VERSION" -t "$REDIS_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
}

ensure_node_modules() {
  # Keyed on the lock file's content, not on mtimes: editing package.json's contributions (or a
  # checkout touching it) must not reinstall, which would empty node_modules under a running build.
  local want have=""
  if [ -f package-lock.json ]; then want=$(sha256sum package-lock.json | cut -c1-16); else want=$(sha256sum package.json | cut -c1-16); fi
  [ -f node_modules/.redis-swarm-deps ] && have=$(cat node_modules/.redis-swarm-deps)
  if [ ! -d node_modules ] || [ "$have" != "$want" ]; then
    log "installing npm dependencies"
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >/dev/null; else npm install --no-audit --no-fund >/dev/null; fi
    echo "$want" >node_modules/.redis-swarm-deps
  fi
}
