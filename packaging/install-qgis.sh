#!/usr/bin/env bash
# Installs QGIS (Debian 12: QGIS 3.22 on Qt 5) for the QGIS Processing provider's tests
# (app/qgis, tests/qgis). Separate from install-deps.sh so that the main set-up stays lean:
# ~120 packages, ~713 MB. Non-interactive and idempotent.
# Usage: sudo packaging/install-qgis.sh   (root in CI)
set -euo pipefail

PACKAGES=(
  # qgis_process.bin, the Processing framework and PyQGIS (qgis.core, qgis.PyQt)
  qgis python3-qgis qgis-providers
  # the tests read the outputs back with GDAL/OGR's Python bindings
  python3-gdal
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-qgis: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "install-qgis: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-qgis: done"
