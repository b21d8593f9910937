#!/usr/bin/env bash
# README command (a): set up, build, compile the bundled example model, link it into a C program, run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/setup.sh"

KILN="$BUILD_DIR/bin/kiln"
OUT="$BUILD_DIR/example"
rm -rf "$OUT"
mkdir -p "$OUT"

echo "== kiln compile examples/small_cnn.onnx -o $OUT -v"
"$KILN" compile "$ROOT/examples/small_cnn.onnx" -o "$OUT" -v
echo
echo "== kiln inspect $OUT"
"$KILN" inspect "$OUT" --manifest-only
echo
echo "== kiln run on examples/small_cnn_input.npy"
"$KILN" run "$OUT" --input x="$ROOT/examples/small_cnn_input.npy" --output-dir "$OUT/outputs"
echo
echo "== a C program linking $OUT/libsmall_cnn.a through small_cnn.h"
cc -std=c11 -O2 -Wall -Wextra "$ROOT/examples/main.c" -I"$OUT" "$OUT/libsmall_cnn.a" -lm -o "$OUT/small_cnn_demo"
"$OUT/small_cnn_demo" "$ROOT/examples/small_cnn_input.npy"
