#!/usr/bin/env bash
# End-to-end apply throughput: N creates against a local emulator that adds L ms to every
# request, at parallelism P. Prints the achieved wall time against the ideal N·L/P and the
# emulator's max_in_flight, which must never exceed P. Each run uses a fresh emulator.
# Usage: scripts/bench-apply.sh [N=200] [L=50] [P=8] [RUNS=5]
# Target (issue 5): within 1.5x of ideal at N=200, L=50, P=8.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
N="${1:-200}" L="${2:-50}" P="${3:-8}" RUNS="${4:-5}"

cargo build --release --quiet --bin campaignctl --example fleet
# CAMPAIGNCTL_BIN measures another build, e.g. one saved from before a change.
BIN="${CAMPAIGNCTL_BIN:-target/release/campaignctl}"
WORK="$(mktemp -d)"
EMULATOR_PID=""
cleanup() {
    if [ -n "$EMULATOR_PID" ]; then kill "$EMULATOR_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

target/release/examples/fleet manifests "$WORK/campaigns" "$N" $(((N + 99) / 100))
ideal_ms=$((N * L / P))
echo "machine: $(nproc) cores, $(uname -sr); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "apply: $N creates, --latency $L ms, --parallelism $P; ideal N*L/P = ${ideal_ms} ms"
echo "(wall time of the whole command: process start, the plan's list requests, the creates)"

: >"$WORK/walls"
worst_in_flight=0
for run in $(seq "$RUNS"); do
    # A fresh file per run: reading a stale one would find the previous emulator's address.
    rm -f "$WORK/emulator.out"
    "$BIN" emulator --listen 127.0.0.1:0 --token bench --latency "$L" \
        --campaign-limit $((N * 2)) >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
    EMULATOR_PID=$!
    URL=$(listening "$WORK/emulator.out")
    [ -n "$URL" ] || { echo "the emulator did not start:" >&2; cat "$WORK/emulator.err" >&2; exit 1; }
    ADDR="${URL%/api}"

    start=$(date +%s%N)
    CAMPAIGNCTL_API_URL="$URL" CAMPAIGNCTL_API_TOKEN=bench \
        "$BIN" apply --auto-approve --parallelism "$P" --format json "$WORK/campaigns" >"$WORK/apply.json" \
        || { echo "apply failed:" >&2; cat "$WORK/apply.json" >&2; exit 1; }
    end=$(date +%s%N)
    wall_ms=$(((end - start) / 1000000))
    echo "$wall_ms" >>"$WORK/walls"

    stats=$(curl -fsS "$ADDR/_emulator/stats")
    created=$(echo "$stats" | jq .campaigns_created)
    in_flight=$(echo "$stats" | jq .max_in_flight)
    [ "$in_flight" -gt "$worst_in_flight" ] && worst_in_flight=$in_flight
    printf '  run %d: %5d ms = %.2fx ideal; created %s; max_in_flight %s\n' \
        "$run" "$wall_ms" "$(echo "$wall_ms / $ideal_ms" | bc -l)" "$created" "$in_flight"
    [ "$created" -eq "$N" ] || { echo "expected $N campaigns, the emulator created $created" >&2; exit 1; }

    kill "$EMULATOR_PID"
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
done

median_ms=$(sort -n "$WORK/walls" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf 'median %d ms = %.2fx ideal (target <= 1.5x); max_in_flight over all runs %d (must be <= %d)\n' \
    "$median_ms" "$(echo "$median_ms / $ideal_ms" | bc -l)" "$worst_in_flight" "$P"
if [ "$worst_in_flight" -gt "$P" ]; then
    echo "FAIL: more requests in flight than --parallelism" >&2
    exit 1
fi
