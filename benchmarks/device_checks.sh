#!/usr/bin/env bash
# The checks for a lent GPU machine (NVIDIA, many cores), prepared to run in one call:
#   1. the test suite with CUDA present (GPU-only tests run, device placement paths are taken);
#   2. a coverage-guided fuzz campaign (atheris) of every target in tests/fuzz, one core each.
# The machine has torch but not the app's packages: carry them as wheels in .whl/ (cp312), e.g.
#   pip download --no-deps --only-binary=:all: --python-version 3.12 ... -d .whl atheris fastapi ...
# Results land in $OUT: pytest.txt, fuzz.txt (each target's final libFuzzer statistics), crashes.tar.
#
# CHECKS=gpu runs the GPU path instead (about 8 minutes, no wheels needed): the tests marked cuda
# (placement, copies, multi-context training, pinned memory, the model zoo, compiled hybridize with
# CUDA graphs, AMP), then benchmarks/compiled.py on the GPU (LeNet training with resident data
# against PyTorch eager and torch.compile, single-image latency, ResNet-50 v1 in bfloat16 at batch
# 256 with compile times). Results: $OUT/gpu_tests.txt, $OUT/gpu_bench.md, $OUT/machine.txt.
set -u
OUT=${OUT:-/tmp/device-out}
FUZZ_SECONDS=${FUZZ_SECONDS:-420}
mkdir -p "$OUT"
if [ "${CHECKS:-fuzz}" = gpu ]; then
  # pytest, numpy, Pillow... as wheels in .whl/ when the machine lacks them (see above)
  if ls .whl/*.whl > /dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
      || echo "wheel install failed" >> "$OUT/machine.txt"
  fi
  export PYTHONPATH=/tmp/site:$PWD/src:$PWD PYTHONUNBUFFERED=1 TORCHINDUCTOR_CACHE_DIR=/tmp/inductor-cache
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$OUT/machine.txt"
  python3 -c "import torch, sys; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), sys.version)" >> "$OUT/machine.txt"
  timeout 180 python3 -m pytest -q -p no:cacheprovider -m cuda -rs tests/test_cuda.py > "$OUT/gpu_tests.txt" 2>&1
  echo "cuda tests exit $?" >> "$OUT/gpu_tests.txt"
  { timeout 150 python3 benchmarks/compiled.py --device cuda --only gluon latency --batch 1024 --iters 100 --rounds 3
    echo "(gluon/latency exit $?)"
    timeout 90 python3 benchmarks/compiled.py --device cuda --only symbolic --batch 1024 --iters 100 --rounds 3 --backend inductor
    echo "(symbolic exit $?)"
    timeout 120 python3 benchmarks/compiled.py --device cuda --only resnet50 --resnet-batch 256 --resnet-iters 10 --rounds 3
    echo "(resnet50 exit $?)"; } > "$OUT/gpu_bench.md" 2>&1
  exit 0
fi
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
  || { echo "wheel install failed"; exit 1; }
export PYTHONPATH=/tmp/site:$PWD/src:$PWD PYTHONUNBUFFERED=1   # MNIST does not travel: the tests that need it skip
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$OUT/machine.txt"
python3 -c "import torch, sys; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), sys.version)" >> "$OUT/machine.txt"

mkdir -p /tmp/fuzz-logs /tmp/fuzz-crashes
targets=$(python3 -c "from tests.fuzz import harness; print(' '.join(harness.discover()))")
for t in $targets; do
  (cd /tmp/fuzz-crashes && python3 -m tests.fuzz --engine atheris --seconds "$FUZZ_SECONDS" "$t") \
    > "/tmp/fuzz-logs/$t.log" 2>&1 &
done

# e2e needs Chromium, which that machine lacks
timeout $((FUZZ_SECONDS + 60)) python3 -m pytest -q -p no:cacheprovider -n 4 tests --ignore=tests/e2e \
  > "$OUT/pytest.txt" 2>&1
echo "pytest exit $?" >> "$OUT/pytest.txt"
wait
for t in $targets; do
  { echo "== $t"; grep -E "^(Done|stat::|==[0-9]+== ERROR)|Finding|Traceback|Error" "/tmp/fuzz-logs/$t.log" | tail -n 12; } >> "$OUT/fuzz.txt"
done
tar -cf "$OUT/crashes.tar" -C /tmp fuzz-crashes fuzz-logs
