#!/usr/bin/env bash
# `make install` and `make uninstall`. Install: the staged runtime (out/runtime) as
# PREFIX/lib/vxvem, `vxvem` on PREFIX/bin, the systemd units in UNITDIR and the example
# configuration in SYSCONFDIR/vxvem (never over an operator's file). Uninstall removes all of
# it, the configuration only while it is unchanged. DESTDIR prefixes every path written (for
# packaging); the paths inside the files do not carry it.
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?usage: PREFIX=... UNITDIR=... SYSCONFDIR=... [DESTDIR=...] install.sh install|uninstall}
: "${PREFIX:?}" "${UNITDIR:?}" "${SYSCONFDIR:?}"
DESTDIR=${DESTDIR:-}
lib="$DESTDIR$PREFIX/lib/vxvem"
bin="$DESTDIR$PREFIX/bin/vxvem"
units="$DESTDIR$UNITDIR"
etc="$DESTDIR$SYSCONFDIR/vxvem"
UNITS=(vxvem-vem.service vxvem-vsm.service)
CONFIGS=(vem.json vem.env vsm.env)

fill() { sed -e "s|@BINDIR@|$PREFIX/bin|g" -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" "packaging/$1"; }

case $action in
install)
  [ -f out/runtime/package.json ] || { echo "install: no staged runtime in out/runtime (make runtime)" >&2; exit 1; }
  rm -rf "$lib" # a previous version's files must not linger among the new ones
  mkdir -p "$lib" "$(dirname "$bin")" "$units" "$etc"
  cp -R out/runtime/. "$lib/"
  ln -sfn ../lib/vxvem/bin/vxvem "$bin"
  for u in "${UNITS[@]}"; do fill "$u.in" >"$units/$u" && chmod 644 "$units/$u"; done
  for c in "${CONFIGS[@]}"; do
    if [ -e "$etc/$c" ]; then echo "install: keeping $etc/$c"; else fill "$c" >"$etc/$c" && chmod 644 "$etc/$c"; fi
  done
  echo "installed: $bin -> $lib; units in $units; configuration in $etc"
  ;;
uninstall)
  rm -rf "$lib"
  if [ -L "$bin" ]; then rm -f "$bin"; fi
  for u in "${UNITS[@]}"; do rm -f "$units/$u"; done
  for c in "${CONFIGS[@]}"; do
    [ -e "$etc/$c" ] || continue
    if fill "$c" | cmp -s - "$etc/$c"; then rm -f "$etc/$c"; else echo "uninstall: keeping $etc/$c (changed since installed)"; fi
  done
  rmdir "$etc" 2>/dev/null || true
  echo "uninstalled vxvem from $DESTDIR$PREFIX"
  ;;
*) echo "install.sh: install or uninstall, not $action" >&2; exit 2 ;;
esac
