#!/usr/bin/env bash
# check-deb.sh BUILD_DIR: builds the Debian package from a finished build tree, installs it on
# this machine with apt-get (which resolves its Depends), runs the installed programs from
# /usr/bin, and removes the package again. CI runs it after the tests (.ci/run); it needs root
# (or sudo), like packaging/install-deps.sh.
set -euo pipefail
BUILD=${1:-build}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$OUT" >"$OUT/cpack.log" 2>&1 || { cat "$OUT/cpack.log"; exit 1; }
DEB=$(ls "$OUT"/*.deb)
echo "check-deb: built $(basename "$DEB") ($(du -h "$DEB" | cut -f1))"
dpkg-deb --field "$DEB" Depends

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q --no-install-recommends "$DEB" >"$OUT/apt.log" 2>&1 || { cat "$OUT/apt.log"; exit 1; }
trap '$SUDO apt-get purge -y -q rsrefseg-desktop >/dev/null 2>&1 || true; rm -rf "$OUT"' EXIT

# Run from a neutral folder, without the build tree's plugin path: everything must come from /usr.
cd "$OUT"
env -u RSREFSEG_PLUGIN_DIR /usr/bin/rsrefseg --version
env -u RSREFSEG_PLUGIN_DIR -u DISPLAY /usr/bin/rsrefseg-desktop --version
env -u RSREFSEG_PLUGIN_DIR /usr/bin/rsrefseg segment /usr/share/rsrefseg/samples/sample.tif \
    -q "the white storage tank" --tile 256 --overlap 32 --out-mask "$OUT/mask.tif" --quiet
test -s "$OUT/mask.tif"
man -w rsrefseg >/dev/null 2>&1 || test -f /usr/share/man/man1/rsrefseg.1.gz
echo "check-deb: the installed package runs"
