#!/usr/bin/env bash
# Installs every Debian 12 package that RSRefSeg Desktop needs to build, test and run.
# Non-interactive and idempotent: packages already present are left alone.
# Usage: sudo packaging/install-deps.sh   (root in CI and on fresh machines)
set -euo pipefail

PACKAGES=(
  # toolchain; ccache keeps compiled objects between builds and fresh clones (README, Building)
  build-essential cmake ninja-build pkg-config git ccache
  # Qt 6: Widgets, Concurrent, Test, OpenGL, SVG icons, Linguist (lupdate/lrelease)
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev
  qt6-translations-l10n libgl-dev
  # geospatial
  libgdal-dev gdal-bin libproj-dev
  # model: LibTorch + a fast BLAS (Debian's default reference BLAS is ~30x slower)
  libtorch-dev libopenblas0-pthread
  # imaging, tokenizer, json, command line
  libopencv-dev libsentencepiece-dev sentencepiece nlohmann-json3-dev libcli11-dev
  # headless GUI tests and screenshots
  xvfb xauth imagemagick
  # packaging: the .deb (dpkg-shlibdeps, file), validators of the desktop integration, man
  dpkg-dev file desktop-file-utils appstream man-db
  # fuzzing and sanitizers (libFuzzer comes with Clang's runtime)
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
