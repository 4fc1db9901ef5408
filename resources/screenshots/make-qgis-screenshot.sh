#!/usr/bin/env bash
# The screenshot of the rsrefseg:segment dialog in QGIS desktop (README, Inside QGIS): QGIS
# under Xvfb with a profile of its own, the plugin from the build tree, the sample raster, the
# "Segment by text" toolbar action pressed (qgis-screenshot.py). Needs packaging/install-qgis.sh
# and a build (build/bin/rsrefseg, build/share/qgis/python/plugins).
# Usage: resources/screenshots/make-qgis-screenshot.sh [BUILD_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/profiles/default/QGIS" "$work/shots" "$work/runtime"
chmod 700 "$work/runtime"
cat > "$work/profiles/default/QGIS/QGIS3.ini" <<INI
[PythonPlugins]
rsrefseg=true
[qgis]
showTips322=false
checkVersion=false
[UI]
UI\\lastProjectPath=
INI
export HOME="$work" XDG_RUNTIME_DIR="$work/runtime" QGIS_PLUGINPATH="$build/share/qgis/python/plugins"
export RSREFSEG_SHOT_DIR="$work/shots" RSREFSEG_SAMPLE="$root/resources/samples/sample.tif"
xvfb-run -a -s "-screen 0 1500x950x24" timeout 180 /usr/bin/qgis.bin --noversioncheck --nologo \
    --profiles-path "$work" --code "$here/qgis-screenshot.py" || true
cat "$work/shots/log.txt" || true
test -f "$work/shots/screen.png"
convert "$work/shots/screen.png" -strip PNG8:"$here/qgis-segment-dialog.png"
convert "$work/shots/dialog.png" -strip PNG8:"$here/qgis-segment-dialog-only.png"
echo "written: $here/qgis-segment-dialog.png, qgis-segment-dialog-only.png"
