#!/usr/bin/env bash
# Stages the runtime tree that `make install` and `make deb` ship, in OUTDIR: the compiled
# JavaScript, the native addon, the dataplane's BPF objects, the protocol file, bin/vxvem,
# package.json and the production npm packages. It runs with plain node from anywhere: no
# TypeScript sources, tests, benchmarks, fixtures or dev packages (tsx, typescript, vitest,
# cmake-js). Expects the addon and the objects built (the Makefile's runtime target).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: stage-runtime.sh OUTDIR}
tmp="$out.tmp"
rm -rf "$tmp"
mkdir -p "$tmp/bin" "$tmp/proto" "$tmp/build/Release" "$tmp/out/bpf"
# Compiled afresh: dist/ of a checkout may still hold the output of sources since removed.
npx tsc -p tsconfig.build.json --outDir "$tmp/dist" --sourceMap false
install -m 755 bin/vxvem "$tmp/bin/"
install -m 644 proto/vxvem.proto "$tmp/proto/"
install -m 755 build/Release/vxvem_native.node "$tmp/build/Release/"
# The entry objects only (bpf/*.bpf.c): fixtures and benchmark objects stay in the checkout.
for src in bpf/*.bpf.c; do
  install -m 644 "out/bpf/$(basename "$src" .c).o" "$tmp/out/bpf/"
done
install -m 644 package.json package-lock.json "$tmp/"
(cd "$tmp" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
# npm's bookkeeping: the tree is never installed into again.
rm -f "$tmp/package-lock.json" "$tmp/node_modules/.package-lock.json"
rm -rf "$out"
mv "$tmp" "$out"
