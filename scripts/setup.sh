#!/usr/bin/env bash
# Kiln set-up: installs everything a fresh Debian 12 machine lacks, then configures and builds.
#
#   scripts/setup.sh            install + configure + build (idempotent; re-running only rebuilds)
#   scripts/setup.sh --deps     install only
#
# Environment: BUILD_DIR (default: build), CMAKE_BUILD_TYPE (default: Release), KILN_CMAKE_ARGS (extra
# arguments for the first configure of BUILD_DIR).
#
# Python: the tests need PyTorch (to export reference models), onnxruntime, onnx, numpy and lit in ONE
# interpreter. PyTorch comes from Debian (python3-torch, CPU-only, for /usr/bin/python3); onnxruntime exists
# only on PyPI. So we make a virtual environment from /usr/bin/python3 that sees Debian's packages
# (--system-site-packages) and pip-install the rest into it. CMake is told to use exactly that interpreter.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
VENV="$ROOT/.venv"
DEPS_ONLY=0
[[ "${1:-}" == "--deps" ]] && DEPS_ONLY=1

log() { printf '[setup] %s\n' "$*"; }

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

APT_PACKAGES=(
  # Compiler toolchain: Debian's LLVM/MLIR 19 (shared libLLVM/libMLIR), lit/FileCheck, a linker.
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools lld-19 clang-19
  cmake ninja-build ccache g++ pkg-config
  # Frontends.
  nlohmann-json3-dev libonnx-dev libprotobuf-dev protobuf-compiler
  # Unit tests.
  libgtest-dev
  # Python for the test suite: Debian's CPU PyTorch (exports the reference models) and numpy.
  python3 python3-venv python3-numpy python3-torch python3-torchvision
)
# KILN_EXTRA_APT: more packages for one kind of build (scripts/test.sh --sanitize: clang's sanitizer and
# libFuzzer runtimes).
# shellcheck disable=SC2206
APT_PACKAGES+=(${KILN_EXTRA_APT:-})

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "Debian packages: all present"
fi

# Python test environment (see the header comment for why a venv over /usr/bin/python3).
PY_PACKAGES=(
  "onnx==1.17.0"
  "onnxruntime==1.20.1"
  "lit==18.1.8"
  # NVIDIA's cuobjdump (0.3 MB; not in the toolkit image here): the CUDA tests list each cubin's kernels with it.
  "nvidia-cuda-cuobjdump==13.2.86"
  # NumPy's float8, int4 and int2 types: the independent reference of the float8 and packed-int tests.
  "ml_dtypes==0.5.1"
)
if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating $VENV over /usr/bin/python3"
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
fi
if ! "$VENV/bin/python" - "${PY_PACKAGES[@]}" <<'PYEOF' 2>/dev/null
import sys
from importlib.metadata import version
for spec in sys.argv[1:]:
    name, want = spec.split("==")
    if version(name) != want:
        sys.exit(1)
PYEOF
then
  log "installing Python packages: ${PY_PACKAGES[*]}"
  # numpy stays Debian's (1.24): Debian's torch is built against it.
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PY_PACKAGES[@]}" "numpy<2"
else
  log "Python packages: all present"
fi

((DEPS_ONLY)) && exit 0

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/kiln-ccache}"
export CCACHE_BASEDIR="$ROOT"
mkdir -p "$CCACHE_DIR"

if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  log "configuring $BUILD_DIR"
  # KILN_CMAKE_ARGS: extra configure arguments (scripts/test.sh --sanitize passes its own).
  # shellcheck disable=SC2086
  cmake -G Ninja -S "$ROOT" -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
    -DPython3_EXECUTABLE="$VENV/bin/python" \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache ${KILN_CMAKE_ARGS:-}
fi
log "building"
cmake --build "$BUILD_DIR"
