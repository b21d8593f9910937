#!/usr/bin/env bash
# README command (b): set up a fresh machine, build, and run the whole test suite (ctest: lit + unit + e2e).
#
#   scripts/test.sh [--sanitize] [ctest arguments...]
#
# --sanitize builds everything with clang 19, AddressSanitizer and UndefinedBehaviorSanitizer (and the
# libFuzzer targets of test/fuzz, whose corpus and regressions become tests) in build-sanitize/ (BUILD_DIR
# overrides), and runs the same suite there. The code Kiln generates is not instrumented: the sanitizers
# watch the compiler, the runtime and the tools.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${1:-}" == "--sanitize" ]]; then
  shift
  export BUILD_DIR="${BUILD_DIR:-$ROOT/build-sanitize}"
  export CC=clang-19 CXX=clang++-19
  export KILN_CMAKE_ARGS="-DKILN_SANITIZE=address,undefined -DKILN_FUZZ=ON"
  export KILN_EXTRA_APT="libclang-rt-19-dev"
  # Leaks are reported (and fail the test) like any other error; halt on the first report.
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
fi
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
export BUILD_DIR
"$ROOT/scripts/setup.sh"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$(nproc)" "$@"
