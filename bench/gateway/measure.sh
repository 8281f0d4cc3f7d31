#!/usr/bin/env bash
# The gateway's load figures (README "Gateway performance"), measured with
# ../shared/tools/gatewaybench side by side with its reference hops:
#
#   bench/gateway/measure.sh [GATEWAYBENCH_DIR]
#
# Starts the mock upstream and bench/gateway (llmux serve with three
# loggers, cost on) and runs, each alternating direct / ref-json / llmux:
# open loop at 50 (one request in flight, 20 ms apart), 500 and 2000 rps,
# and one worker sending back to back (c=1, closed loop); streaming at
# 500 rps (TTFB); closed loop with 64 workers (max rps); then 100k streams
# counted for a missing [DONE]. Results land in $GWBENCH_DIR/results.
# BARE=1 also runs the same gateway without its loggers (target "bare",
# LLMUX_BENCH_NO_LOGGERS=1) in every comparison: what the loggers cost.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GB="${1:-$ROOT/../shared/tools/gatewaybench}"
WORK="${GWBENCH_DIR:-/tmp/gwbench}"
REPS="${REPS:-3}"
DUR="${DUR:-8s}"
mkdir -p "$WORK/bin"
(cd "$GB" && go build -o "$WORK/bin/gwbench" .)
(cd "$ROOT" && go build -o "$WORK/bin/llmux-gateway" ./bench/gateway)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
"$WORK/bin/gwbench" mock -addr 127.0.0.1:19080 >"$WORK/mock.log" 2>&1 & pids+=($!)
"$WORK/bin/llmux-gateway" --config "$ROOT/bench/gateway/config.yaml" --port 4000 >"$WORK/llmux.log" 2>&1 & gw=$!; pids+=($gw)
T=("llmux=http://127.0.0.1:4000;pid=$gw")
if [ -n "${BARE:-}" ]; then
  LLMUX_BENCH_NO_LOGGERS=1 "$WORK/bin/llmux-gateway" --config "$ROOT/bench/gateway/config.yaml" --port 4001 >"$WORK/llmux-bare.log" 2>&1 & pids+=($!)
  T+=("bare=http://127.0.0.1:4001;pid=$!")
fi
for port in 4000 ${BARE:+4001}; do
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/health/liveliness" >/dev/null && break; sleep 0.1; done
done
run() { "$GB/run.sh" --mock-url http://127.0.0.1:19080 --with-ref --reps "$REPS" --duration "$DUR" "$@" "${T[@]}"; }

echo "== non-streaming, open loop 50/500/2000 rps, and closed loop with one worker (c=1)"
run --rate 50,500,2000 --sat-c 1
echo "== streaming, 500 rps (TTFB)"
run --stream --rate 500
echo "== saturation, 64 workers"
run --rate 500 --sat-c 64 --reps 1
echo "== 100k streams: every one must end with [DONE]"
"$WORK/bin/gwbench" load -url http://127.0.0.1:4000 -stream -rate 0 -c 32 -d 120s -pid "$gw" -label llmux-100k-streams | tail -3
echo "RSS after load: $(awk '/VmRSS/{print $2/1024 " MB"}' /proc/$gw/status)"
