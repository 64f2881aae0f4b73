#!/usr/bin/env bash
# What building the runtime takes, named before make tries: `make install` and `make deb` build
# with the tools already on the host and install none of them (`make build` does, together with
# the test tools).
set -euo pipefail
cd "$(dirname "$0")/.."
"$BASH" scripts/check-node.sh
missing=()
for tool in clang cmake g++ pkg-config; do command -v "$tool" >/dev/null || missing+=("$tool"); done
pkg-config --exists libbpf 2>/dev/null || missing+=(libbpf-dev)
if ((${#missing[@]})); then
  echo "building vxvem needs: ${missing[*]} (Debian: apt-get install clang llvm libbpf-dev cmake g++ pkg-config; or \`make build\`, which installs them with the test tools)" >&2
  exit 1
fi
if [ ! -x node_modules/.bin/tsc ] || [ ! -x node_modules/.bin/cmake-js ]; then
  echo "building vxvem needs its npm build packages in this checkout: run \`npm ci\` (or \`make build\`)" >&2
  exit 1
fi
