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

# The QGIS plugin from /usr/share/qgis/python/plugins (no QGIS_PLUGINPATH), in a profile of its
# own, runs the installed rsrefseg (packaging/install-qgis.sh installs QGIS; README, Inside QGIS).
if [ -x /usr/bin/qgis_process.bin ]; then
    mkdir -p "$OUT/home/runtime" && chmod 700 "$OUT/home/runtime"
    qgis() { env -u QGIS_PLUGINPATH HOME="$OUT/home" XDG_RUNTIME_DIR="$OUT/home/runtime" QT_QPA_PLATFORM=offscreen \
                 /usr/bin/qgis_process.bin "$@" 2>"$OUT/qgis.err"; }
    qgis plugins enable rsrefseg >/dev/null
    # Into a file first: with pipefail, `qgis list | grep -q` fails when grep stops reading early.
    qgis list >"$OUT/qgis-list.txt" || { echo "check-deb: qgis_process list failed"; cat "$OUT/qgis.err"; exit 1; }
    grep -q "rsrefseg:segment" "$OUT/qgis-list.txt" || { echo "check-deb: QGIS does not list rsrefseg:segment"; cat "$OUT/qgis.err"; exit 1; }
    qgis run rsrefseg:segment --INPUT=/usr/share/rsrefseg/samples/sample.tif --PROMPT="the white storage tank" \
        --TILE=256 --OVERLAP=32 --OUTPUT_MASK="$OUT/qgis-mask.tif" --OUTPUT_VECTOR="$OUT/qgis.gpkg" >/dev/null ||
        { echo "check-deb: rsrefseg:segment failed in QGIS"; cat "$OUT/qgis.err"; exit 1; }
    test -s "$OUT/qgis-mask.tif"
    echo "check-deb: QGIS runs rsrefseg:segment from the installed plugin"
else
    echo "check-deb: QGIS is not installed, the plugin is not run (packaging/install-qgis.sh)"
fi
echo "check-deb: the installed package runs"
