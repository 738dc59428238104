#!/usr/bin/env bash
# Builds the phas .deb from a built tree (`make deb`):
#   scripts/build-deb.sh BUILD_DIR [OUT_DIR]
# The tree is installed with prefix /usr (cmake/install.cmake: binary
# stripped, models, traces, units in /lib/systemd/system, the example config
# at /etc/phas/phas.yaml) into a staging directory, then packed by dpkg-deb:
# Depends from dpkg-shlibdeps (the Debian runtime libraries the binary links)
# plus adduser; /etc/phas/phas.yaml a conffile; the maintainer scripts of
# deploy/debian (postinst creates the system user phas). Prints the path of
# the .deb. DEB_MAINTAINER overrides the Maintainer field.
set -euo pipefail
build=${1:?usage: build-deb.sh BUILD_DIR [OUT_DIR]}
out=${2:-$build}
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

version=$(sed -n 's/^project(phas VERSION \([0-9.]*\).*/\1/p' \
  "$src/CMakeLists.txt")
[ -n "$version" ] || { echo "build-deb: no version in CMakeLists.txt" >&2; exit 1; }
arch=$(dpkg --print-architecture)
maintainer=${DEB_MAINTAINER:-"phas maintainers <phas@localhost>"}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
DESTDIR="$root" cmake --install "$build" --prefix /usr --strip >/dev/null

# dpkg-shlibdeps reads debian/control: give it a minimal one.
mkdir -p "$stage/shlibs/debian"
printf 'Source: phas\n\nPackage: phas\nArchitecture: any\n' \
  >"$stage/shlibs/debian/control"
shlibs=$(cd "$stage/shlibs" &&
  dpkg-shlibdeps -O -e"$root/usr/bin/phas" 2>"$stage/shlibdeps.err" |
  sed -n 's/^shlibs:Depends=//p') || {
  cat "$stage/shlibdeps.err" >&2
  exit 1
}
[ -n "$shlibs" ] || { echo "build-deb: dpkg-shlibdeps found no dependency" >&2; exit 1; }

mkdir -p "$root/DEBIAN"
for f in postinst prerm postrm; do
  install -m 0755 "$src/deploy/debian/$f" "$root/DEBIAN/$f"
done
(cd "$root" && find etc -type f | sed 's|^|/|' | sort) >"$root/DEBIAN/conffiles"
installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: phas
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_kb
Depends: adduser, $shlibs
Section: admin
Priority: optional
Description: predictive horizontal auto scaler for EC2 Auto Scaling groups
 phas watches EC2 Auto Scaling groups and sets their desired capacity ahead
 of demand. This package ships the phas binary, its trained model bundles
 and traces (/usr/share/phas), the systemd units phas-scaler.service and
 phas-predictor.service (Type=notify, watchdog, sandboxed; not enabled),
 the example configuration /etc/phas/phas.yaml and the system user phas.
CONTROL

deb="$out/phas_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
