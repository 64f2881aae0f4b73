#!/usr/bin/env bash
# `make deb`: out/vxvem_VERSION_ARCH.deb, holding what `make install` installs, laid out for
# Debian (/usr/lib/vxvem, /usr/bin/vxvem, the units in /lib/systemd/system, the example
# configuration as conffiles in /etc/vxvem). Built by dpkg-deb from a staged tree.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json)
arch=$(dpkg --print-architecture)
root=out/deb/root
rm -rf out/deb
mkdir -p "$root/DEBIAN" "$root/usr/share/doc/vxvem"
DESTDIR="$root" PREFIX=/usr UNITDIR=/lib/systemd/system SYSCONFDIR=/etc bash packaging/install.sh install >/dev/null
install -m 644 README.md packaging/deb/copyright "$root/usr/share/doc/vxvem/"
(cd "$root" && find etc -type f | sort | sed 's|^|/|') >"$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" packaging/deb/control.in >"$root/DEBIAN/control"
install -m 755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$root/DEBIAN/"
deb="out/vxvem_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "built $deb"
