#!/usr/bin/env bash
# The checks of --target cuda that need an NVIDIA GPU (issue 13): e2e models against onnxruntime on the
# GPU, then the tiled GEMMs (f32, tf32, f16, bf16) against torch.matmul (cuBLAS) at 1024..8192 on the same
# device tensors (Kiln / cuBLAS printed per size and type), a fused elementwise chain and two models timed against PyTorch
# on the same GPU. A few minutes; see bench/gpu_check.py for what it checks and how it times.
#
#   scripts/gpu-check.sh [--quick] [--out DIR] [--runs R]
#
# Needs Kiln built (scripts/setup.sh; BUILD_DIR as there) and the NVIDIA driver (libcuda.so.1). PyTorch with
# CUDA is optional (the peers); without it the speed table is skipped and only correctness is checked.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
[[ -x "$PYTHON" ]] || PYTHON=python3
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check: no nvidia-smi here: this script needs a machine with an NVIDIA GPU and its driver" >&2
  exit 2
fi
exec "$PYTHON" "$ROOT/bench/gpu_check.py" --build "$BUILD_DIR" "$@"
