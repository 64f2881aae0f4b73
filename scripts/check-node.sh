#!/usr/bin/env bash
# Node.js and npm as package.json's "engines" asks for them, checked before anything is built:
# Debian 12's own nodejs package (18) is too old, so a missing or old node is named with the way
# to get one.
set -euo pipefail
cd "$(dirname "$0")/.."
need=$(sed -n 's/.*"node": *">=\([0-9][0-9]*\)".*/\1/p' package.json)
have=$(node -p process.versions.node 2>/dev/null || true)
if [ -z "$have" ] || [ "${have%%.*}" -lt "$need" ]; then
  echo "vxvem needs Node.js $need or later (package.json \"engines\"); found: ${have:-no node on the PATH}." >&2
  echo "Debian 12's own nodejs package is 18: install Node.js $need or later (NodeSource's nodejs package, or an official release with node and npm on the PATH), then run this again." >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "vxvem needs npm (it comes with Node.js $have from NodeSource or an official release): install it, then run this again." >&2
  exit 1
fi
