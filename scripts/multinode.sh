#!/usr/bin/env bash
# A real multi-node swarm on this one machine, for the multi-host tests: Docker-in-Docker nodes
# (1 manager + N-1 workers) built FROM scratch out of the host's own Debian docker.io binaries
# (there is no registry), on an `--internal` bridge network, so nothing they do leaves the
# machine. The host's own swarm is never touched: the nodes run their own dockerd each.
#
#   scripts/multinode.sh up [--nodes N]   build the node image, start the nodes, form the swarm,
#                                         load the Redis test image into every node (idempotent)
#   scripts/multinode.sh status           the nodes and the swarm as the manager sees them
#   scripts/multinode.sh env              `export DOCKER_HOST=...` for the manager's engine
#   scripts/multinode.sh down             remove the nodes, their volumes, the network, the image
#
# Environment: MN_PREFIX (default rsmn) names every object; MN_SUBNET (default 172.30.77) the
# /24 of the internal network, nodes at .11, .12, ...; MN_HEARTBEAT (default 5s) swarm's
# dispatcher heartbeat. Facts and workarounds: ../shared/docs/multinode.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
source scripts/lib.sh
# The nodes are containers of THIS host's engine, whatever engine the caller points at.
unset DOCKER_HOST DOCKER_CONTEXT

PREFIX=${MN_PREFIX:-rsmn}
SUBNET=${MN_SUBNET:-172.30.77}
HEARTBEAT=${MN_HEARTBEAT:-5s}
NET="$PREFIX-net"
# Image references must be lowercase; the prefix may not be.
IMAGE="redis-swarm/${PREFIX,,}-node:local"
SOCK_ROOT="/run/redis-swarm-$PREFIX"
MAX_NODES=9

node_name() { echo "$PREFIX-$1"; }
node_ip() { echo "$SUBNET.$((10 + $1))"; }
node_sock() { echo "$SOCK_ROOT/$1/docker.sock"; }
# The docker CLI pointed at node i's engine (through a unix socket in a bind-mounted host folder).
on_node() { local i=$1; shift; DOCKER_HOST="unix://$(node_sock "$i")" docker "$@"; }

# The node's root file system: the engine's binaries, the tools dockerd calls, their libraries.
build_image() {
  local stamp
  stamp=$(sha256sum "$0" "$(command -v dockerd)" | sha256sum | cut -c1-12)
  if [ "$(docker image inspect -f '{{index .Config.Labels "org.redis-swarm.recipe"}}' "$IMAGE" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  log "building the node image $IMAGE from the host's docker.io"
  local root
  root=$(mktemp -d)
  local bins=(dockerd containerd containerd-shim-runc-v2 runc docker-init docker-proxy xtables-nft-multi ip bash sh mount umount mkdir cat ls sleep rm ln cp tar grep sed awk env timeout kill ps iptables)
  local b path
  for b in "${bins[@]}"; do
    path=$(type -P "$b") || die "the node image needs $b, which is not installed on this host"
    path=$(readlink -f "$path")
    copy_with_libs "$path" "$root"
    # Keep the name the tools call it by (iptables is a link to xtables-nft-multi).
    mkdir -p "$root/usr/bin"
    [ -e "$root/usr/bin/$b" ] || ln -s "$path" "$root/usr/bin/$b"
  done
  # The docker CLI the tests and the entry script use inside a node (Debian's, like the engine).
  copy_with_libs "$(readlink -f "$(command -v docker)")" "$root"
  ln -sf "$(readlink -f "$(command -v docker)")" "$root/usr/bin/docker" 2>/dev/null || true
  for link in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
    ln -sf /usr/sbin/xtables-nft-multi "$root/usr/bin/$link"
  done
  local xt=/usr/lib/x86_64-linux-gnu/xtables
  if [ -d "$xt" ]; then mkdir -p "$root$xt"; cp -a "$xt/." "$root$xt/"; for so in "$xt"/*.so; do copy_libs_of "$so" "$root"; done; fi
  mkdir -p "$root/usr/lib" "$root/etc" "$root/var/lib/docker" "$root/run" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
  cp /usr/lib/os-release "$root/usr/lib/os-release"
  ln -sf ../usr/lib/os-release "$root/etc/os-release"
  printf 'root:x:0:0:root:/root:/bin/bash\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
  # /var/run must be the tmpfs /run: a real directory would keep dockerd's containerd.pid across a
  # `docker kill` + `docker start`, and dockerd would then wait for a containerd that is not there
  # ("containerd is still running pid=25" ... "timeout waiting for containerd to start").
  mkdir -p "$root/var"
  ln -sfn ../run "$root/var/run"
  [ -e "$root/bin" ] || ln -s usr/bin "$root/bin"
  [ -e "$root/sbin" ] || ln -s usr/sbin "$root/sbin"
  cat >"$root/entry.sh" <<'ENTRY'
#!/bin/bash
# What --privileged would do, by hand (it is refused here): writable /sys and cgroups, shared mounts.
set -e
mount -o remount,rw /sys
for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do mount -o remount,bind,rw "$d" 2>/dev/null || true; done
mount --make-rshared /
# Pid files of the run before a kill (images built before /var/run was a link to /run).
rm -rf /var/run/docker /var/run/docker.pid 2>/dev/null || true
# No registry and no route out: a look-up fails at once instead of timing out.
echo 'nameserver 127.0.0.1' >/etc/resolv.conf
mkdir -p /run/mn
# A killed node leaves dockerd's pid file in its container layer; started again, dockerd refuses
# to run when that pid happens to be taken in the new namespace ("pid file found").
rm -f /var/run/docker.pid
exec dockerd -H unix:///run/docker.sock -H unix:///run/mn/docker.sock --dns 127.0.0.1 --tls=false --iptables=true >/run/mn/dockerd.log 2>&1
ENTRY
  chmod +x "$root/entry.sh"
  tar -C "$root" -c . | docker import -c 'ENTRYPOINT ["/entry.sh"]' -c "LABEL org.redis-swarm.recipe=$stamp" - "$IMAGE" >/dev/null
  rm -rf "$root"
}

copy_with_libs() {
  local file=$1 root=$2
  mkdir -p "$root$(dirname "$file")"
  cp -L "$file" "$root$file"
  copy_libs_of "$file" "$root"
}

copy_libs_of() {
  local file=$1 root=$2 lib
  # ldd fails on static binaries: nothing to copy then.
  for lib in $(ldd "$file" 2>/dev/null | grep -oE '/[^ ]+' || true); do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

wait_engine() {
  local i=$1 n
  for n in $(seq 1 120); do
    on_node "$i" info --format '{{.ServerVersion}}' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  docker logs "$(node_name "$i")" 2>&1 | tail -20 >&2 || true
  cat "$SOCK_ROOT/$i/dockerd.log" 2>/dev/null | tail -20 >&2 || true
  die "the engine of $(node_name "$i") did not answer within 60 s"
}

start_node() {
  local i=$1 name
  name=$(node_name "$i")
  mkdir -p "$SOCK_ROOT/$i"
  if [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = true ]; then return 0; fi
  if docker inspect "$name" >/dev/null 2>&1; then
    docker start "$name" >/dev/null
  else
    docker run -d --name "$name" --hostname "$name" --label "org.redis-swarm.multinode=$PREFIX" \
      --network "$NET" --ip "$(node_ip "$i")" \
      --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --security-opt systempaths=unconfined \
      --device-cgroup-rule 'a *:* rwm' --cgroupns private --init \
      -v "$name-docker:/var/lib/docker" --tmpfs /run:exec --tmpfs /tmp:exec \
      -v "$SOCK_ROOT/$i:/run/mn" "$IMAGE" >/dev/null
  fi
}

swarm_state() { on_node "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown; }

form_swarm() {
  local count=$1 i
  if [ "$(swarm_state 1)" != active ]; then
    log "initialising the swarm on $(node_name 1) ($(node_ip 1))"
    on_node 1 swarm init --advertise-addr "$(node_ip 1)" --dispatcher-heartbeat "$HEARTBEAT" >/dev/null
    # No IPVS in this kernel: the ingress routing mesh can't work; services use dnsrr.
    on_node 1 network rm ingress >/dev/null 2>&1 <<<'y' || true
  fi
  local token
  token=$(on_node 1 swarm join-token -q worker)
  for i in $(seq 2 "$count"); do
    [ "$(swarm_state "$i")" = active ] && continue
    log "joining $(node_name "$i") ($(node_ip "$i")) as a worker"
    on_node "$i" swarm join --advertise-addr "$(node_ip "$i")" --token "$token" "$(node_ip 1):2377" >/dev/null
  done
  for i in $(seq 1 60); do
    [ "$(on_node 1 node ls --format '{{.Status}}' | grep -c Ready)" -ge "$count" ] && return 0
    sleep 0.5
  done
  die "the swarm did not show $count Ready nodes within 30 s"
}

load_image() {
  local count=$1 i
  docker image inspect "$REDIS_IMAGE" >/dev/null 2>&1 || ensure_redis_image
  local want
  want=$(docker image inspect -f '{{.Id}}' "$REDIS_IMAGE")
  local tar
  tar=$(mktemp /tmp/rsmn-image.XXXXXX.tar)
  for i in $(seq 1 "$count"); do
    [ "$(on_node "$i" image inspect -f '{{.Id}}' "$REDIS_IMAGE" 2>/dev/null)" = "$want" ] && continue
    [ -s "$tar" ] || docker save -o "$tar" "$REDIS_IMAGE"
    log "loading $REDIS_IMAGE into $(node_name "$i")"
    on_node "$i" load -q -i "$tar" >/dev/null
  done
  rm -f "$tar"
}

up() {
  local count=3
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) count=${2:-}; shift 2 ;;
      *) die "unknown option $1 (multinode.sh up [--nodes N])" ;;
    esac
  done
  [[ "$count" =~ ^[1-9]$ ]] && [ "$count" -le "$MAX_NODES" ] || die "--nodes must be 1..$MAX_NODES, not $count"
  need_root
  docker_up || die "the host's Docker engine does not answer; run scripts/setup.sh first"
  build_image
  if ! docker network inspect "$NET" >/dev/null 2>&1; then
    docker network create --internal --subnet "$SUBNET.0/24" --label "org.redis-swarm.multinode=$PREFIX" "$NET" >/dev/null
  fi
  local i
  for i in $(seq 1 "$count"); do start_node "$i"; done
  for i in $(seq 1 "$count"); do wait_engine "$i"; done
  form_swarm "$count"
  load_image "$count"
  log "ready: $count node(s); the manager's engine is unix://$(node_sock 1)"
}

status() {
  docker ps -a --filter "label=org.redis-swarm.multinode=$PREFIX" --format '{{.Names}}\t{{.Status}}'
  [ -S "$(node_sock 1)" ] && on_node 1 node ls 2>/dev/null || echo "no manager engine answers at $(node_sock 1)"
}

down() {
  local ids
  ids=$(docker ps -aq --filter "label=org.redis-swarm.multinode=$PREFIX")
  # shellcheck disable=SC2086
  [ -n "$ids" ] && docker rm -f -v $ids >/dev/null
  local vols
  vols=$(docker volume ls -q --filter "name=^$PREFIX-[0-9]+-docker$")
  # shellcheck disable=SC2086
  [ -n "$vols" ] && docker volume rm -f $vols >/dev/null
  docker network rm "$NET" >/dev/null 2>&1 || true
  docker image rm -f "$IMAGE" >/dev/null 2>&1 || true
  rm -rf "$SOCK_ROOT"
  log "multi-node test bed $PREFIX removed"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  up) up "$@" ;;
  status) status ;;
  env) echo "export DOCKER_HOST=unix://$(node_sock 1)" ;;
  down) down ;;
  *) die "usage: scripts/multinode.sh up [--nodes N] | status | env | down" ;;
esac
