#!/usr/bin/env bash
# The GPU rows of issue #17, prepared to run as is on a machine with a CUDA GPU (about 10 minutes in all).
# Writes bench/results/gpu_<GPU name>/demo_{fp32,bf16}/results.csv (every architecture's quick run, seconds
# beside the CPU's demo), bench/results/serving_cuda.{csv,md} and bench/results/session_rec_scaling_cuda.{csv,md}.
#   bash bench/gpu_rows.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY=${PYTHON:-python}
$PY -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA device: these rows need a GPU')"
name=$($PY -c "import torch, re; print(re.sub(r'[^A-Za-z0-9]+', '_', torch.cuda.get_device_name(0)))")
out=bench/results/gpu_$name; mkdir -p "$out"
$PY -c "import torch; print(torch.cuda.get_device_name(0), torch.__version__, torch.version.cuda)" | tee "$out/device.txt"
cli() { $PY -c "import sys; from gru_hybrids.cli import main; sys.exit(main(sys.argv[1:]))" "$@"; }
for p in fp32 bf16; do
  timeout 240 bash -c "$(declare -f cli); PY=$PY; cli demo --device cuda --precision $p --out $out/demo_$p --overwrite --progress lines" \
    2>&1 | tee "$out/demo_$p.log" || echo "demo $p stopped (time limit or error): see $out/demo_$p.log"
done
timeout 150 $PY bench/serving.py --device cuda --rounds 3 || echo "serving stopped"
timeout 300 $PY bench/session_rec_scaling.py --device cuda --sizes 1e6 1e7 --batches 300 || echo "scaling stopped"
