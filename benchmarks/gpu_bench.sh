#!/usr/bin/env bash
# One-shot GPU benchmark for a future session on ONE H200 with JAX only (no TensorFlow
# installed there: cgtk bench builds its synthetic batches with NumPy and never imports
# TensorFlow on the JAX backend; tests/bench/test_bench_cli.py checks that).
#
#   bash benchmarks/gpu_bench.sh            # results in ${OUT:-/tmp/cgtk-gpu-bench}
#
# Runs, in < 8 minutes (DEADLINE=460 s; each command gets min(its limit, time left)):
#   1. CycleGAN training, 256 px, batch 64, mixed_bfloat16, XLA (jit): images/s, achieved
#      TFLOP/s, fraction of the H200's ~790 TFLOP/s dense bf16 peak, peak device memory
#      (jax memory_stats). If batch 64 does not fit, it retries at batch 32 and says so.
#   2. CycleGAN inference (G, a2b), 256 px, batch 64, bf16, jit.
#   3. The plain Keras-on-JAX CycleGAN (benchmarks/baseline_cyclegan_jax.py) and cgtk's
#      step interleaved at the same batch, bf16, then XLA's planned memory of both at
#      batch 128 (compiled, not run, so it reports even what would not fit).
# Needs: python with jax[cuda], keras, and cgtk importable with its plugins registered
# (pip install -e . --no-deps in the checkout if 'cgtk plugins list' lacks cyclegan).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/cgtk-gpu-bench}
mkdir -p "$OUT"
export KERAS_BACKEND=jax
export XLA_PYTHON_CLIENT_PREALLOCATE=${XLA_PYTHON_CLIENT_PREALLOCATE:-false}
PEAK_TFLOPS=${PEAK_TFLOPS:-790}
DEADLINE=${DEADLINE:-460}  # seconds for the whole script; each step gets what is left
budget() {  # $1 = the step's own limit; prints min($1, time left), at least 1
  local left=$(( DEADLINE - SECONDS ))
  (( left < 1 )) && left=1
  (( $1 < left )) && echo "$1" || echo "$left"
}
CGTK=(python -m cgtk.cli.main)

python - <<'PY' || exit 1
import importlib.util, sys
for mod in ("jax", "keras", "cgtk"):
    if importlib.util.find_spec(mod) is None:
        sys.exit(f"gpu_bench: {mod} is not importable")
import jax
print("devices:", jax.devices())
PY
if ! "${CGTK[@]}" plugins list 2>/dev/null | grep -q cyclegan; then
  echo "gpu_bench: registering cgtk's plugins (pip install -e . --no-deps)"
  pip install -q --no-deps --no-build-isolation -e . || exit 1
fi

train() {  # $1 = batch size
  timeout "$(budget 200)" "${CGTK[@]}" bench cyclegan --backend jax --image-size 256 --batch-size "$1" \
    --precision mixed_bfloat16 --jit --steps 10 --repeats 3 --warmup 2 --json \
    > "$OUT/cyclegan_train_b$1.json" 2> "$OUT/cyclegan_train_b$1.err"
}
BATCH=64
if ! train 64; then
  echo "gpu_bench: batch 64 failed (see $OUT/cyclegan_train_b64.err); retrying at batch 32"
  tail -3 "$OUT/cyclegan_train_b64.err"
  BATCH=32
  train 32 || { tail -5 "$OUT/cyclegan_train_b32.err"; }
fi
timeout "$(budget 70)" "${CGTK[@]}" bench cyclegan --infer --backend jax --image-size 256 --batch-size 64 \
  --precision mixed_bfloat16 --jit --steps 20 --repeats 3 --json \
  > "$OUT/cyclegan_infer_b64.json" 2> "$OUT/cyclegan_infer_b64.err" \
  || tail -5 "$OUT/cyclegan_infer_b64.err"

timeout "$(budget 120)" python benchmarks/baseline_cyclegan_jax.py --image-size 256 --batch-size "$BATCH" \
  --precision mixed_bfloat16 --steps 5 --repeats 2 > "$OUT/plain_vs_cgtk.txt" 2>&1 \
  || echo "gpu_bench: plain-vs-cgtk comparison failed or timed out"
timeout "$(budget 60)" python benchmarks/baseline_cyclegan_jax.py --image-size 256 --batch-size 128 \
  --precision mixed_bfloat16 --memory > "$OUT/memory_b128.txt" 2>&1 \
  || echo "gpu_bench: memory analysis failed or timed out"
grep -E "ms/step|temp" "$OUT/plain_vs_cgtk.txt" "$OUT/memory_b128.txt"

OUT="$OUT" BATCH="$BATCH" PEAK_TFLOPS="$PEAK_TFLOPS" python - <<'PY'
import json, os, pathlib
out, peak = pathlib.Path(os.environ["OUT"]), float(os.environ["PEAK_TFLOPS"])
for name in (f"cyclegan_train_b{os.environ['BATCH']}.json", "cyclegan_infer_b64.json"):
    path = out / name
    if not path.exists() or not path.stat().st_size:
        print(f"{name}: no result"); continue
    r = json.loads(path.read_text())
    mem = r.get("peak_memory_bytes")
    print(f"{r['plugin']} {r['mode']}: {r['image_size']}px batch {r['batch_size']} "
          f"{r['precision']} jit={r['jit']} on {r['machine']['gpus'] or 'no GPU'}: "
          f"{r['ms_per_step']:.1f} ms/step, {r['images_per_s']:.1f} images/s, "
          f"{r['achieved_tflops']:.1f} TFLOP/s = {r['achieved_tflops'] / peak:.1%} of "
          f"{peak:.0f} TFLOP/s bf16, peak memory "
          f"{'n/a' if mem is None else f'{mem / 2**30:.1f} GiB'}, first step "
          f"{r['first_step_s']:.0f} s")
PY
echo "JSON reports in $OUT"
