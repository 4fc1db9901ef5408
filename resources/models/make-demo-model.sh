#!/bin/sh
# make-demo-model.sh: rebuilds the bundled demo model (resources/models/demo) from this
# repository alone, and measures it on a held-out synthetic set.
#
#   resources/models/make-demo-model.sh            # uses build/bin/rsrefseg and spm_train
#   RSREFSEG=/path/to/rsrefseg WORK=/tmp/demo THREADS=2 resources/models/make-demo-model.sh
#
# Steps (every one seeded, so the same machine gives the same files):
#   1. tokenizer: spm_train (Debian package `sentencepiece`) on the sentences of 2000 synthetic
#      scenes (seed 900): unigram, SigLIP/T5 ids (<pad>=0, </s>=1, <unk>=2, no <s>), nmt_nfkc,
#      no byte fallback;
#   2. data: `rsrefseg synth` training scenes (seed 1) and validation scenes (seed 2), 512 px;
#   3. `rsrefseg train` from scratch with demo-recipe/architecture.json + demo-recipe/train.json
#      (seed 1); the best validation checkpoint is exported to resources/models/demo;
#   4. `rsrefseg eval` on 200 fresh held-out scenes (seed 3): the README's table.
# Training runs on the CPU in float32; see resources/models/demo/README.md for the time it took.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RSREFSEG=${RSREFSEG:-$ROOT/build/bin/rsrefseg}
SPM_TRAIN=${SPM_TRAIN:-spm_train}
WORK=${WORK:-${TMPDIR:-/tmp}/rsrefseg-demo-model}
OUT=${OUT:-$HERE/demo}
THREADS=${THREADS:-1}
RECIPE=$HERE/demo-recipe
# OpenBLAS keeps its own threads, which spin (sched_yield) between products: with one torch
# thread its second thread took ~36 % of the samples of a `perf` profile of the trainer.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-$THREADS}

command -v "$SPM_TRAIN" >/dev/null 2>&1 || { echo "spm_train not found (Debian: apt-get install sentencepiece)" >&2; exit 1; }
[ -x "$RSREFSEG" ] || { echo "rsrefseg not found at $RSREFSEG (build it, or set RSREFSEG=...)" >&2; exit 1; }
mkdir -p "$WORK"

# 1. Tokenizer.
if [ ! -f "$WORK/spiece.model" ]; then
    rm -rf "$WORK/corpus"
    "$RSREFSEG" synth --out "$WORK/corpus" --count 2000 --seed 900 --per-scene 6 --size 256 --split corpus >/dev/null
    sed -n 's/.*"sent":"\([^"]*\)".*/\1/p' "$WORK/corpus/corpus.jsonl" > "$WORK/corpus.txt"
    "$SPM_TRAIN" --input="$WORK/corpus.txt" --model_prefix="$WORK/spiece" --model_type=unigram \
        --vocab_size=64 --hard_vocab_limit=false --character_coverage=1.0 \
        --pad_id=0 --eos_id=1 --unk_id=2 --bos_id=-1 \
        --normalization_rule_name=nmt_nfkc --byte_fallback=false --split_digits=false \
        --num_threads=1 >"$WORK/spm_train.log" 2>&1
fi

# 2. Data.
[ -f "$WORK/train/train.jsonl" ] || "$RSREFSEG" synth --out "$WORK/train" --count 3000 --seed 1 --per-scene 6 --split train
[ -f "$WORK/val/val.jsonl" ] || "$RSREFSEG" synth --out "$WORK/val" --count 100 --seed 2 --split val

# 3. Training (resumes an interrupted run).
set -- --out "$WORK/run" --export "$OUT" --overwrite --name rsrefseg-demo --threads "$THREADS"
if [ -f "$WORK/run/last.safetensors" ]; then
    "$RSREFSEG" train --resume "$WORK/run/last.safetensors" "$@"
else
    "$RSREFSEG" train --config "$RECIPE/train.json" \
        --architecture "$RECIPE/architecture.json" --tokenizer "$WORK/spiece.model" \
        --train-data "$WORK/train/train.jsonl" --train-images "$WORK/train/images" \
        --val-data "$WORK/val/val.jsonl" --val-images "$WORK/val/images" "$@"
fi

# 4. Held-out evaluation.
[ -f "$WORK/test/test.jsonl" ] || "$RSREFSEG" synth --out "$WORK/test" --count 200 --seed 3 --split test
"$RSREFSEG" eval --model "$OUT" --data "$WORK/test/test.jsonl" --images "$WORK/test/images" \
    --out "$WORK/eval" --threads "$THREADS"
