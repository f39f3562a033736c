#!/usr/bin/env bash
# Runs a command while one busy loop per core saturates the CPU, the way a busy node or CI
# machine starves the reconciler: races that a quiet machine hides show up here.
# The loops are bounded (CPU_LOAD_MAX_SECONDS, default 1800) and always stopped on exit.
#   tools/ci/under-cpu-load.sh <command...>
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 <command...>" >&2; exit 2; }
max=${CPU_LOAD_MAX_SECONDS:-1800}
loops=()
stop_loops() { [[ ${#loops[@]} -eq 0 ]] || kill "${loops[@]}" 2>/dev/null || true; }
trap stop_loops EXIT
for _ in $(seq 1 "$(nproc)"); do
  timeout "$max" bash -c 'while :; do :; done' &
  loops+=($!)
done
echo "[under-cpu-load] $(nproc) busy loops running (at most ${max} s): $*" >&2
"$@"
