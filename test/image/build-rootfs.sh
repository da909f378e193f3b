#!/usr/bin/env bash
# Packs a minimal Debian userland for the test image: bash, coreutils, redis-server/redis-cli
# and every shared library they load, plus the users and folders the official image has.
set -euo pipefail
out=${1:?usage: build-rootfs.sh OUT.tar}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

bins=(/bin/bash /bin/sh /bin/cat /bin/ls /bin/sleep /bin/kill /usr/bin/env /usr/bin/id /usr/bin/timeout
      /usr/bin/redis-server /usr/bin/redis-cli /usr/bin/getent /bin/hostname)
for b in "${bins[@]}"; do
  real=$(readlink -f "$b")
  mkdir -p "$root$(dirname "$b")" "$root$(dirname "$real")"
  cp -a "$real" "$root$real"
  [ "$real" = "$b" ] || ln -sf "$real" "$root$b"
  # Every library the binary loads, and the dynamic loader itself.
  ldd "$real" | awk '/=> \//{print $3} /^[ \t]*\/lib/{print $1}' | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
done
# redis-check-aof/rdb are the same binary under other names in Debian and upstream.
for tool in redis-check-aof redis-check-rdb; do
  [ -e "$root/usr/bin/$tool" ] || ln -s redis-server "$root/usr/bin/$tool"
done
# glibc's name service for getent hosts (used by people debugging DNS inside the node).
for lib in /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libresolv.so.2; do
  [ -e "$lib" ] && { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; }
done
mkdir -p "$root/etc" "$root/data" "$root/tmp" "$root/usr/local/etc/redis" "$root/run" "$root/proc" "$root/dev" "$root/sys"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/bash\nredis:x:999:999::/home/redis:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nredis:x:999:\nnogroup:x:65534:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
tar -C "$root" -cf "$out" .
