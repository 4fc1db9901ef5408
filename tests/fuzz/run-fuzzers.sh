#!/usr/bin/env bash
# Runs every libFuzzer target of the fuzz build for a bounded time, one after the other, each
# as a single process. Exits non-zero when any target finds a crash, a sanitizer report, a leak
# or a timeout; the input that triggered it is left in the artifacts folder (printed).
#
#   tests/fuzz/run-fuzzers.sh [seconds-per-target] [target...]
#       seconds-per-target  default 30 (CI); 600 or more for a real fuzzing session
#       target              any of: safetensors pthreader cocorle jsonl bundlemanifest tokenizer refspickle
#   FUZZ_BUILD=build-fuzz   the fuzz preset's build folder (cmake --workflow --preset fuzz)
#   FUZZ_WORK=<dir>         where the growing corpora, logs and artifacts go (default: a temp
#                           folder, so the committed seed corpus is never modified)
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors pthreader cocorle jsonl bundlemanifest tokenizer refspickle)
build=${FUZZ_BUILD:-build-fuzz}
work=${FUZZ_WORK:-$(mktemp -d -t rsrefseg-fuzz.XXXXXX)}
mkdir -p "$work"
# fuzz_tokenizer loads the golden sentencepiece model from here (tests/testpaths.h).
export RSREFSEG_TEST_DATA_DIR="$PWD/tests/data"

failed=()
for t in "${targets[@]}"; do
    bin="$build/fuzz/fuzz_$t"
    if [ ! -x "$bin" ]; then
        echo "run-fuzzers: $bin missing (build it: cmake --workflow --preset fuzz)" >&2
        exit 2
    fi
    corpus="$work/corpus-$t"
    artifacts="$work/artifacts-$t/"
    mkdir -p "$corpus" "$artifacts"
    start=$(date +%s)
    # Growing corpus first (libFuzzer writes new inputs there), then the committed seeds and
    # former crashes (read only).
    dirs=("$corpus" "tests/fuzz/corpus/$t")
    [ -d "tests/fuzz/regressions/$t" ] && dirs+=("tests/fuzz/regressions/$t")
    "$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=16384 -print_final_stats=1 \
        -artifact_prefix="$artifacts" "${dirs[@]}" > "$work/$t.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t.log" | tail -1)
    echo "fuzz_$t: ${runs:-?} executions in $(($(date +%s) - start)) s (${rate:-?}/s), exit $rc"
    if [ $rc -ne 0 ]; then
        failed+=("$t")
        grep -E "^==[0-9]+==ERROR|runtime error|deadly signal|Test unit written" "$work/$t.log" | head -5
        echo "fuzz_$t: FINDING; log $work/$t.log, input in $artifacts" >&2
    fi
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "run-fuzzers: findings in: ${failed[*]} (work folder $work)" >&2
    exit 1
fi
echo "run-fuzzers: no findings (work folder $work)"
