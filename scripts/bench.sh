#!/usr/bin/env bash
# The benchmark command: set up and build (scripts/setup.sh), install the optional peers the benchmark
# compares against (Debian's oneDNN for the GEMM sweep, matplotlib for the plot), then run bench/run.py,
# which prints the table and rewrites docs/performance.md and docs/performance.png. Arguments go to
# bench/run.py (--threads 1,2 --runs 30 --models ... --no-gemm --quick; see its --help).
# Takes about 15 minutes on 2 cores with the defaults; run it on an otherwise idle machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/setup.sh"

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
missing=()
for p in libdnnl-dev python3-matplotlib; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[bench] installing Debian packages: ${missing[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    echo "[bench] could not install ${missing[*]}; the benchmark runs without them"
fi
exec "$ROOT/.venv/bin/python" "$ROOT/bench/run.py" --build "$BUILD_DIR" "$@"
