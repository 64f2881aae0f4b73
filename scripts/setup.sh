#!/usr/bin/env bash
# Idempotent setup for a fresh Debian 12 host (run as root): Node.js checked, Debian packages,
# npm deps, bpffs. Each step is skipped when already satisfied, so `make` targets can call it freely.
set -euo pipefail
cd "$(dirname "$0")/.."
"$BASH" scripts/check-node.sh

PKGS=(clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool pkg-config cmake make g++ iproute2 ethtool
      iputils-ping iputils-arping iperf3 netsniff-ng tshark python3-scapy tcpdump prometheus smcroute
      python3-openstackclient qemu-system-x86 busybox-static etcd-server keystone uwsgi uwsgi-plugin-python3
      tempest neutron-tempest-plugin)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # prometheus, smcroute, etcd-server, keystone and uwsgi ship services that would start at install:
  # tests and the lab run their own instances on loopback/in namespaces, so keep the packaged ones
  # from starting.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || { ((own_policy)) && rm -f "$policy"; exit 1; }
  ((own_policy)) && rm -f "$policy"
  # Only the services this run installed: an operator's own prometheus is left alone.
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    for pkg in prometheus smcroute etcd-server keystone uwsgi; do
      svc=${pkg%-server}
      [[ " ${missing[*]} " == *" $pkg "* ]] && { systemctl disable --now "$svc" >/dev/null 2>&1 || true; }
    done
  fi
fi

if ! mountpoint -q /sys/fs/bpf; then
  mount -t bpf bpf /sys/fs/bpf
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.vxvem-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
