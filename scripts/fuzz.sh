#!/usr/bin/env bash
# Runs the importers' libFuzzer targets (test/fuzz) from the sanitized build (scripts/test.sh --sanitize
# makes it), each for a while, and reports executions and crashes.
#
#   scripts/fuzz.sh [--minutes M] [--jobs J] [onnx|json ...]
#
# Defaults: 30 minutes per target, one job each, both targets. New inputs that reach new code are written to
# build-sanitize/fuzz-corpus/FORMAT (the seeds in test/fuzz/corpus/FORMAT are read, never written); a crash,
# leak, timeout or sanitizer report stops the target and leaves crash-*/leak-*/timeout-* files in
# build-sanitize/fuzz-artifacts/FORMAT. Fix it, then keep its input in test/fuzz/regressions/FORMAT/ (ctest
# replays every file there).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-sanitize}"
MINUTES=30
JOBS=1
FORMATS=()
while (($#)); do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    onnx|json) FORMATS+=("$1"); shift ;;
    *) echo "usage: scripts/fuzz.sh [--minutes M] [--jobs J] [onnx|json ...]" >&2; exit 2 ;;
  esac
done
((${#FORMATS[@]})) || FORMATS=(onnx json)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for format in "${FORMATS[@]}"; do
  fuzzer="$BUILD_DIR/bin/kiln-fuzz-$format"
  if [[ ! -x "$fuzzer" ]]; then
    echo "fuzz: no $fuzzer: run scripts/test.sh --sanitize first" >&2
    exit 2
  fi
  corpus="$BUILD_DIR/fuzz-corpus/$format"
  artifacts="$BUILD_DIR/fuzz-artifacts/$format"
  mkdir -p "$corpus" "$artifacts"
  log="$BUILD_DIR/fuzz-$format.log"
  echo "fuzz: $format for $MINUTES min ($JOBS job(s)); log $log"
  # -rss_limit_mb: an import may build a large module; -timeout: one input may not take a minute.
  # Several jobs write fuzz-N.log files into the current folder: run from the artifacts folder.
  parallel=()
  ((JOBS > 1)) && parallel=(-jobs="$JOBS" -workers="$JOBS")
  if ! (cd "$artifacts" && "$fuzzer" "$corpus" "$ROOT/test/fuzz/corpus/$format" "${parallel[@]}" \
      -max_total_time=$((MINUTES * 60)) -timeout=60 -rss_limit_mb=4096 -max_len=65536 \
      -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1); then
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY|Test unit written" "$log" || true
  ls "$artifacts" | sed 's/^/fuzz: found /' || true
done
exit $status
