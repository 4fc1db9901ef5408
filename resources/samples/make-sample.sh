#!/usr/bin/env bash
# Regenerates resources/samples/sample.tif (+ sample.jsonl, its referring expressions): a
# synthetic 512 x 512 scene georeferenced in UTM zone 33N (EPSG:32633), 0.5 m pixels, drawn by
# the project's own generator. Deterministic: the same seed gives the same bytes
# (tests/app/cli/test_samplefiles.cpp checks that the committed files are what it writes).
#   resources/samples/make-sample.sh [path/to/rsrefseg] [output folder, default: this folder]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cli="${1:-$here/../../build/bin/rsrefseg}"
out="${2:-$here}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$cli" synth --out "$tmp" --count 1 --seed 2026 --size 512 --geotiff --per-scene 3 --split sample
mv "$tmp/images/sample_000000.tif" "$out/sample.tif"
sed 's/sample_000000.tif/sample.tif/' "$tmp/sample.jsonl" > "$out/sample.jsonl"
echo "wrote $out/sample.tif and $out/sample.jsonl"
